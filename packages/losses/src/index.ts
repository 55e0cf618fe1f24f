export * from './targets.ts';
export * from './cross-entropy.ts';
export * from './focal.ts';
export * from './f1.ts';
export * from './factory.ts';
export * from './ordinal.ts';
export * from './age-distribution.ts';
