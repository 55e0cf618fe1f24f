export * from './select.ts';
export * from './run.ts';
