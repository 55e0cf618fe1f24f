export * from './optimizer.ts';
export * from './sgd.ts';
export * from './adam.ts';
export * from './schedule.ts';
export * from './factory.ts';
