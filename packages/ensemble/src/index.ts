export * from './errors.ts';
export * from './ids.ts';
export * from './combine.ts';
export * from './oof.ts';
export * from './artifacts.ts';
export * from './eval-ids.ts';
export * from './scores.ts';
export * from './report.ts';
export * from './run.ts';
/** Re-exported so later stages can type prediction artifacts without depending on the training package. */
export type { Predictions } from '@facemask/train/predictions';
