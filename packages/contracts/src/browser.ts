/**
 * The browser-safe part of contracts (`@facemask/contracts/browser`): no node: modules, no
 * Node-only libraries, so the kiosk page can bundle it. Everything here is also exported from
 * the package root.
 */
export * from './labels.ts';
export * from './rng.ts';
export * from './ids.ts';
export * from './artifact-error.ts';
export * from './predictions.ts';
export * from './model-folder.ts';
export type { Predictions } from './artifacts/train.ts';
export type { AgeHeadKind } from './config/model.ts';
