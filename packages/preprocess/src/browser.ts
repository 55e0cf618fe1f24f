/** The browser-safe part of preprocess (`@facemask/preprocess/browser`): the cache transform. */
export * from './transform.ts';
export * from './face-crop-pixels.ts';
