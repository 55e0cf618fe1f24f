export * from './schema.ts';
export * from './load.ts';
export * from './loss.ts';
export * from './model.ts';
export * from './transforms.ts';
export * from './detect.ts';
export * from './archs.ts';
