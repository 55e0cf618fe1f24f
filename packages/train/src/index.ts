export * from './predictions.ts';
export * from './optim/index.ts';
