export * from './backend.ts';
export * from './wasm-kernels/index.ts';
export * from './webgpu-kernels/index.ts';
export * from './kernel-names.ts';
export { describeAdapter, webgpuDetail, type WebgpuAdapter } from './webgpu.ts';
export * from './model-io.ts';
export * from './safetensors.ts';
export * from './engine-under-test.ts';
