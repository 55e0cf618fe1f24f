import type { Program, ProgramUniforms } from './program.ts';

/**
 * WebGPU programs of training-mode BatchNorm over channels-last data seen as rows x channels
 * (rows = N·H·W). Per-channel sums run in two steps with a fixed order, so that two runs give
 * the same bits (no atomics): each workgroup covers CHANNEL_LANES channels of one slice of rows,
 * its ROW_LANES row lanes striding through the slice and then added in lane order; a one-thread-
 * per-channel program then combines the slices. The slices give a large GPU enough workgroups
 * (ResNet's 64-channel stages have only 4 channel blocks).
 */

export const CHANNEL_LANES = 16;
export const ROW_LANES = 16;
const TARGET_WORKGROUPS = 512;
const MIN_ROWS_PER_SLICE = 64;

export interface SlicePlan {
  rows: number;
  channels: number;
  slices: number;
  perSlice: number;
}

export function slicePlan(rows: number, channels: number): SlicePlan {
  const blocks = Math.ceil(channels / CHANNEL_LANES);
  const wanted = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / blocks), Math.ceil(rows / MIN_ROWS_PER_SLICE)));
  const perSlice = Math.ceil(rows / wanted);
  return { rows, channels, slices: Math.ceil(rows / perSlice), perSlice };
}

/** Every program here declares the same uniforms, so one array serves all of a kernel's dispatches. */
const UNIFORMS = 'rows : i32, channels : i32, slices : i32, perSlice : i32, epsilon : f32,';

export function planUniforms(p: SlicePlan, epsilon: number): ProgramUniforms {
  return [
    { type: 'int32', data: [p.rows] },
    { type: 'int32', data: [p.channels] },
    { type: 'int32', data: [p.slices] },
    { type: 'int32', data: [p.perSlice] },
    { type: 'float32', data: [epsilon] },
  ];
}

/**
 * Output [slices, channels, 2]: two per-channel sums over each slice of rows. `body` adds one
 * row's terms to `a` and `b` (row index `i` = row·channels + c); `between`, when given, runs after
 * the first pass over the slice with `a` summed over the workgroup, and a second pass then fills `b`.
 */
class SliceSumsProgram implements Program {
  uniforms = UNIFORMS;
  workgroupSize: [number, number, number] = [CHANNEL_LANES, ROW_LANES, 1];
  outputShape: number[];
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];

  constructor(
    public variableNames: string[],
    public shaderKey: string,
    p: SlicePlan,
    private readonly body: string,
  ) {
    this.outputShape = [p.slices, p.channels, 2];
    this.dispatch = [Math.ceil(p.channels / CHANNEL_LANES), p.slices, 1];
  }

  getUserCode(): string {
    return `
      var<workgroup> laneSums : array<f32, ${CHANNEL_LANES * ROW_LANES}>;

      // The sum of v over the row lanes of this thread's channel, in lane order, for every thread.
      fn laneTotal(v : f32) -> f32 {
        let lc = i32(localId.x);
        workgroupBarrier();
        laneSums[i32(localId.y) * ${CHANNEL_LANES} + lc] = v;
        workgroupBarrier();
        var t = 0.0;
        for (var l = 0; l < ${ROW_LANES}; l = l + 1) { t = t + laneSums[l * ${CHANNEL_LANES} + lc]; }
        return t;
      }

      fn main() {
        let nc = uniforms.channels;
        let c = i32(workgroupId.x) * ${CHANNEL_LANES} + i32(localId.x);
        let slice = i32(workgroupId.y);
        let start = slice * uniforms.perSlice;
        let end = min(start + uniforms.perSlice, uniforms.rows);
        let inRange = c < nc;
        ${this.body}
        if (inRange && localId.y == 0u) {
          result[(slice * nc + c) * 2] = a;
          result[(slice * nc + c) * 2 + 1] = b;
        }
      }
    `;
  }
}

const rowLoop = (inner: string) => `
  if (inRange) {
    for (var row = start + i32(localId.y); row < end; row = row + ${ROW_LANES}) {
      let i = row * nc + c;
      ${inner}
    }
  }`;

/** Per slice: the mean and the sum of squared deviations from it (two passes over the slice). */
export function statsSlicesProgram(p: SlicePlan): Program {
  const body = `
    var s = 0.0;
    ${rowLoop('s = s + x[i];')}
    let a = laneTotal(s) / f32(end - start);
    var q = 0.0;
    ${rowLoop('let d = x[i] - a; q = fma(d, d, q);')}
    let b = laneTotal(q);`;
  return new SliceSumsProgram(['x'], 'facemaskBnStatsSlices', p, body);
}

/** Per slice: Σg and Σg·x̂, g = dy (masked where y ≤ 0 with the ReLU), x̂ = (x − mean)/σ. */
export function gradSlicesProgram(p: SlicePlan, relu: boolean): Program {
  const g = relu ? 'select(0.0, dy[i], y[i] > 0.0)' : 'dy[i]';
  const body = `
    var sg = 0.0;
    var sgx = 0.0;
    var mu = 0.0;
    var r = 0.0;
    if (inRange) {
      mu = mean[c];
      r = inverseSqrt(variance[c] + uniforms.epsilon);
    }
    ${rowLoop(`let g = ${g}; sg = sg + g; sgx = fma(g, (x[i] - mu) * r, sgx);`)}
    let a = laneTotal(sg);
    let b = laneTotal(sgx);`;
  const names = relu ? ['dy', 'x', 'mean', 'variance', 'y'] : ['dy', 'x', 'mean', 'variance'];
  return new SliceSumsProgram(names, `facemaskBnGradSlices${relu ? 'Relu' : ''}`, p, body);
}

/** One thread per output element over a flat output; `body` sets `v` from index `i`, channel `c`. */
class FlatProgram implements Program {
  uniforms = UNIFORMS;
  workgroupSize: [number, number, number] = [64, 1, 1];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  size = true;

  constructor(
    public variableNames: string[],
    public shaderKey: string,
    public outputShape: number[],
    private readonly body: string,
  ) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const size = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(size / this.workgroupSize[0]), 1, 1];
  }

  getUserCode(): string {
    return `
      fn main(i : i32) {
        if (i < uniforms.size) {
          let c = i % uniforms.channels;
          ${this.body}
          setOutputAtIndex(i, v);
        }
      }
    `;
  }
}

const rowsIn = 'f32(min(uniforms.perSlice, uniforms.rows - s * uniforms.perSlice))';

/** The batch mean from the slice means, weighted by their row counts. */
export const meanProgram = (channels: number): Program =>
  new FlatProgram(['sums'], 'facemaskBnMean', [channels], `
    var t = 0.0;
    for (var s = 0; s < uniforms.slices; s = s + 1) { t = fma(${rowsIn}, sums[(s * uniforms.channels + c) * 2], t); }
    let v = t / f32(uniforms.rows);`);

/** The biased variance: Σ over slices of M2_s + n_s·(mean_s − mean)² (Chan et al.), over rows. */
export const varianceProgram = (channels: number): Program =>
  new FlatProgram(['sums', 'mean'], 'facemaskBnVariance', [channels], `
    var t = 0.0;
    for (var s = 0; s < uniforms.slices; s = s + 1) {
      let k = (s * uniforms.channels + c) * 2;
      let d = sums[k] - mean[c];
      t = t + sums[k + 1] + ${rowsIn} * d * d;
    }
    let v = t / f32(uniforms.rows);`);

/** Column 0 (Σg = dβ) or 1 (Σg·x̂ = dγ) of the gradient's slice sums, added over the slices. */
export const gradSumProgram = (channels: number, column: 0 | 1): Program =>
  new FlatProgram(['sums'], `facemaskBnGradSum${column}`, [channels], `
    var v = 0.0;
    for (var s = 0; s < uniforms.slices; s = s + 1) { v = v + sums[(s * uniforms.channels + c) * 2 + ${column}]; }`);

/** y = γ·(x − mean)/σ + β, then the ReLU. */
export const normalizeProgram = (shape: number[], relu: boolean): Program =>
  new FlatProgram(['x', 'mean', 'variance', 'gamma', 'beta'], `facemaskBnNormalize${relu ? 'Relu' : ''}`, shape, `
    let n = (x[i] - mean[c]) * inverseSqrt(variance[c] + uniforms.epsilon) * gamma[c] + beta[c];
    let v = ${relu ? 'max(n, 0.0)' : 'n'};`);

/**
 * Per channel, the three factors of dx = γ/σ · (g − Σg/n − x̂ · Σg·x̂/n) written as
 * k0·g + k1 − (x − mean)·k2: output [3, channels] = γ/σ, −γ/σ · Σg/n, γ/σ² · Σg·x̂/n. The dx pass
 * then binds 5 or 6 buffers instead of 8 or 9 (WebGPU's default limit is 8 per shader stage).
 */
export const dxFactorsProgram = (channels: number): Program =>
  new FlatProgram(['dBeta', 'dGamma', 'variance', 'gamma'], 'facemaskBnDxFactors', [3, channels], `
    let row = i / uniforms.channels;
    let n = f32(uniforms.rows);
    let r = inverseSqrt(variance[c] + uniforms.epsilon);
    let gr = gamma[c] * r;
    var v = gr;
    if (row == 1) { v = -gr * (dBeta[c] / n); }
    if (row == 2) { v = gr * r * (dGamma[c] / n); }`);

export const dxProgram = (shape: number[], relu: boolean): Program =>
  new FlatProgram(relu ? ['dy', 'x', 'mean', 'factors', 'y'] : ['dy', 'x', 'mean', 'factors'], `facemaskBnDx${relu ? 'Relu' : ''}`, shape, `
    let nc = uniforms.channels;
    let g = ${relu ? 'select(0.0, dy[i], y[i] > 0.0)' : 'dy[i]'};
    let v = factors[c] * g + factors[nc + c] - (x[i] - mean[c]) * factors[2 * nc + c];`);
