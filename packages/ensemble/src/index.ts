export * from './errors.ts';
export * from './combine.ts';
export * from './oof.ts';
export * from './report.ts';
export * from './run.ts';
