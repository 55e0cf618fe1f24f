export * from './predictions.ts';
