export * from './validate.ts';
export * from './write.ts';
export * from './run.ts';
