export * from './artifacts.ts';
export * from './select.ts';
export * from './run.ts';
