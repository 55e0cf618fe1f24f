export * from './preprocess.ts';
export * from './train.ts';
export * from './ensemble.ts';
export * from './pseudo-label.ts';
export * from './run-record.ts';
export * from './detect.ts';
