export * from './crop.ts';
export * from './resize.ts';
export * from './normalize.ts';
export * from './pipeline.ts';
