import * as tf from '@tensorflow/tfjs-core';

/**
 * One compute dispatch over same-shaped float32 tensors that writes several outputs, for kernels
 * whose outputs are computed together (an optimiser's parameter and its state buffers).
 * runWebGPUProgram binds exactly one output, so a k-output kernel through it costs k dispatches
 * that each read the inputs again; this compiles a shader of its own and records it into the
 * backend's command stream as recordAndSubmit does (tfjs-backend-webgpu 4.22's internals below).
 */

const WORKGROUP = 64;

export interface ElementwiseSpec {
  /** Pipeline cache key: one compiled shader per key, so values that change per call go in uniforms. */
  key: string;
  inputs: string[];
  outputs: string[];
  /** Uniform names and types, in the order of the values passed at dispatch. */
  uniforms: [name: string, type: 'f32' | 'u32'][];
  /** WGSL statements for element `i` (u32), reading `<input>[i]` and `u.<uniform>`, writing `<output>[i]`. */
  body: string;
}

interface Pass {
  setPipeline(p: unknown): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y: number, z: number): void;
  end(): void;
}
interface Device {
  limits: { maxComputeWorkgroupsPerDimension: number };
  createShaderModule(d: { code: string; label?: string }): unknown;
  createComputePipeline(d: { layout: 'auto'; compute: { module: unknown; entryPoint: string }; label?: string }): { getBindGroupLayout(i: number): unknown };
  createBindGroup(d: { layout: unknown; entries: { binding: number; resource: unknown }[] }): unknown;
  createQuerySet(d: { type: 'timestamp'; count: number }): unknown;
}
/** WebGPUBackend's members that recordAndSubmit uses, private ones included. */
interface Internals {
  device: Device;
  tensorMap: { get(id: tf.DataId): { values: unknown; resource?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  uploadToGPU(id: tf.DataId): void;
  tensorToBinding(t: tf.TensorInfo): unknown;
  makeUniforms(u: { type: string; data: number[] }[]): unknown;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  getQueryTime(): Promise<number>;
  commandEncoder: { beginComputePass(d: object): Pass };
  computePassEncoder: Pass | null;
  commandQueueOwnedIds: WeakSet<tf.DataId>;
  dispatchCountInPass: number;
  activeTimers: { name: string; query: Promise<number> }[] | null;
  supportTimestampQuery: boolean;
  querySet: unknown;
  querySetCount: number;
}

const pipelines = new WeakMap<Device, Map<string, ReturnType<Device['createComputePipeline']>>>();

function shaderSource(spec: ElementwiseSpec): string {
  const fields = [['size', 'u32'], ['groupsX', 'u32'], ...spec.uniforms].map(([n, t]) => `${n} : ${t},`).join(' ');
  const outputs = spec.outputs.map((n, b) => `@group(0) @binding(${b}) var<storage, read_write> ${n} : array<f32>;`);
  const inputs = spec.inputs.map((n, b) => `@group(0) @binding(${spec.outputs.length + b}) var<storage, read> ${n} : array<f32>;`);
  return `
    struct Uniforms { ${fields} };
    ${outputs.join('\n')}
    ${inputs.join('\n')}
    @group(0) @binding(${spec.outputs.length + spec.inputs.length}) var<uniform> u : Uniforms;

    @compute @workgroup_size(${WORKGROUP})
    fn main(@builtin(global_invocation_id) id : vec3<u32>) {
      let i = id.y * u.groupsX * ${WORKGROUP}u + id.x;
      if (i >= u.size) { return; }
      ${spec.body}
    }`;
}

function pipelineFor(device: Device, spec: ElementwiseSpec) {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  let pipeline = cache.get(spec.key);
  if (!pipeline) {
    const module = device.createShaderModule({ code: shaderSource(spec), label: spec.key });
    pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: spec.key });
    cache.set(spec.key, pipeline);
  }
  return pipeline;
}

/** Number of pipelines compiled on this device: a test checks per-step values do not add any. */
export function compiledPipelines(backend: unknown): number {
  return pipelines.get((backend as Internals).device)?.size ?? 0;
}

/** Runs `spec` over `inputs` (one shape) with the uniform values given; returns its new outputs. */
export function runElementwise(backend: unknown, spec: ElementwiseSpec, inputs: tf.TensorInfo[], uniforms: number[]): tf.TensorInfo[] {
  const b = backend as Internals;
  const shape = inputs[0]!.shape;
  const size = tf.util.sizeFromShape(shape);
  const outputs = spec.outputs.map(() => b.makeTensorInfo(shape, 'float32'));
  if (size === 0) {
    for (const o of outputs) b.tensorMap.get(o.dataId).values = new Float32Array(0);
    return outputs;
  }
  for (const t of [...outputs, ...inputs]) b.uploadToGPU(t.dataId);
  const groups = Math.ceil(size / WORKGROUP);
  const groupsX = Math.min(groups, b.device.limits.maxComputeWorkgroupsPerDimension);
  const groupsY = Math.ceil(groups / groupsX);
  const pipeline = pipelineFor(b.device, spec);
  const values = [
    { type: 'uint32', data: [size] },
    { type: 'uint32', data: [groupsX] },
    ...spec.uniforms.map(([, t], k) => ({ type: t === 'u32' ? 'uint32' : 'float32', data: [uniforms[k]!] })),
  ];
  const resources = [...outputs.map((t) => b.tensorToBinding(t)), ...inputs.map((t) => b.tensorToBinding(t)), b.makeUniforms(values)];
  const bindGroup = b.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: resources.map((resource, binding) => ({ binding, resource })) });
  // Buffers the queued commands use are released only after the queue is submitted.
  for (const t of [...inputs, ...outputs]) b.commandQueueOwnedIds.add(t.dataId);
  b.ensureCommandEncoderReady();
  // Under tf.profile/tf.time each dispatch gets a pass with timestamps of its own, as tfjs' do.
  const timed = b.activeTimers != null;
  if (timed && b.supportTimestampQuery) {
    b.endComputePassEncoder();
    b.querySet ??= b.device.createQuerySet({ type: 'timestamp', count: b.querySetCount });
    b.computePassEncoder = b.commandEncoder.beginComputePass({ timestampWrites: { querySet: b.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
  } else if (!b.computePassEncoder) {
    b.computePassEncoder = b.commandEncoder.beginComputePass({});
  }
  const pass = b.computePassEncoder;
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(groupsX, groupsY, 1);
  b.dispatchCountInPass++;
  if (timed || (tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number) <= b.dispatchCountInPass) {
    b.endComputePassEncoder();
    if (timed) b.activeTimers!.push({ name: spec.key, query: b.getQueryTime() });
    else b.submitQueue();
  }
  return outputs;
}
