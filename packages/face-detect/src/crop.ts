// `@facemask/face-detect/crop`: the crop geometry and pixels alone, without tfjs (the image cache
// imports this; the package's main entry also loads the detectors' tfjs code).
export * from './geometry.ts';
export * from './warp.ts';
export * from './image.ts';
export { primaryFace } from './record.ts';
