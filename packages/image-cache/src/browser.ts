/** The browser-safe part of the image cache (`@facemask/image-cache/browser`): the transform. */
export * from './transform.ts';
export * from './face-crop-pixels.ts';
