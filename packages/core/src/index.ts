export * from './labels.ts';
export * from './rng.ts';
export * from './atomic.ts';
export * from './artifact.ts';
export * from './csv.ts';
export * from './progress.ts';
export * from './config.ts';
export * from './safetensors.ts';
