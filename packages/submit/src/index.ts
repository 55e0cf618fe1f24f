export * from './errors.ts';
export * from './answers.ts';
export * from './validate.ts';
export * from './write.ts';
export * from './score.ts';
export * from './run.ts';
