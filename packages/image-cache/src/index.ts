/*
 * The image cache, the one artifact of photos as pixels: how a photo becomes the model's input
 * (centre or face crop, resize: transform.ts), the content-addressed pixel stores that hold a
 * split's photos, building them (preprocess) and reading them (train, report, ship). A library,
 * so that no stage imports the stage that writes the cache.
 */
export * from './cache.ts';
export * from './decode.ts';
export * from './transform.ts';
export * from './face-crop-pixels.ts';
export * from './face-crop.ts';
export * from './store.ts';
export * from './crop-handoff.ts';
export * from './crop-hook.ts';
