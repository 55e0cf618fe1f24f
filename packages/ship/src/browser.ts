/**
 * The browser-safe part of ship (`@facemask/ship/browser`): what the kiosk page runs on a photo,
 * the same code `pnpm predict` runs (crop, evaluation views, members, vote).
 */
export * from './classify.ts';
export * from './crop.ts';
export * from './face-crop.ts';
export * from './members.ts';
