// Browser-safe entry: no node: modules, no sharp. Node-only helpers are in "@facemask/face-detect/node".
export * from './artifact.ts';
export * from './detector.ts';
export * from './evaluate.ts';
export * from './geometry.ts';
export * from './image.ts';
export * from './model-files.ts';
export * from './models.ts';
export * from './options.ts';
export * from './record.ts';
export * from './score.ts';
export * from './warp.ts';
export type { FaceApiModule, RawFace } from './faceapi.ts';
export type { HumanModule } from './blazeface.ts';
