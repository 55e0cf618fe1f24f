// Node-only entry: file decoding (sharp), the packaged weights, worker-thread batches, dev-set ground truth.
export * from './batch.ts';
export * from './decode.ts';
export * from './ground-truth.ts';
export * from './identity.ts';
export * from './modules.ts';
export * from './after-detect.ts';
