/**
 * The browser-safe part of augment (`@facemask/augment/browser`): the deterministic crop and
 * resize, the normalisation and the evaluation views, without node: modules or sharp, for the
 * kiosk page. Everything here is also exported from the package root.
 */
export * from './crop.ts';
export * from './resize.ts';
export * from './normalize.ts';
export * from './pipeline.ts';
export * from './eval.ts';
