export * from './photos.ts';
export * from './run.ts';
export * from './summary.ts';
export * from './write.ts';
export * from './store.ts';
