/**
 * ToTensor + Normalize as torchvision computes them in float32: x/255, minus mean, divided by std,
 * each step rounded to float32. With only 256 inputs per channel a lookup table gives the exact
 * float32 results at memcpy-like speed.
 */

export type Triple = readonly [number, number, number] | readonly number[];

function checkStats(mean: Triple, std: Triple, channels: number): void {
  if (mean.length !== channels || std.length !== channels) {
    throw new RangeError(`normalize: mean and std need ${channels} values each, got ${mean.length} and ${std.length}`);
  }
  for (const s of std) if (!(s > 0)) throw new RangeError(`normalize: std values must be > 0, got ${s}`);
}

/** lut[v * channels + c] = ((v/255) - mean[c]) / std[c] in float32 arithmetic. */
export function normalizeLut(mean: Triple, std: Triple): Float32Array {
  const channels = mean.length;
  checkStats(mean, std, channels);
  const f = Math.fround;
  const lut = new Float32Array(256 * channels);
  for (let v = 0; v < 256; v++) {
    for (let c = 0; c < channels; c++) {
      lut[v * channels + c] = f(f(f(v / 255) - f(mean[c]!)) / f(std[c]!));
    }
  }
  return lut;
}

/** (x/255 - mean)/std per channel of an HWC (or NHWC) uint8 buffer; the layout is kept. */
export function normalizeToFloat(u8: Uint8Array, mean: Triple, std: Triple, out?: Float32Array): Float32Array {
  const channels = mean.length;
  checkStats(mean, std, channels);
  if (u8.length % channels !== 0) {
    throw new RangeError(`normalizeToFloat: buffer length ${u8.length} is not a multiple of ${channels} channels`);
  }
  if (out && out.length !== u8.length) {
    throw new RangeError(`normalizeToFloat: out has ${out.length} elements, expected ${u8.length}`);
  }
  const lut = normalizeLut(mean, std);
  const dst = out ?? new Float32Array(u8.length);
  if (channels === 3) {
    const [l0, l1, l2] = [0, 1, 2].map((c) => Float32Array.from({ length: 256 }, (_, v) => lut[v * 3 + c]!)) as [Float32Array, Float32Array, Float32Array];
    for (let i = 0; i < u8.length; i += 3) {
      dst[i] = l0[u8[i]!]!;
      dst[i + 1] = l1[u8[i + 1]!]!;
      dst[i + 2] = l2[u8[i + 2]!]!;
    }
    return dst;
  }
  for (let i = 0; i < u8.length; i += channels) {
    for (let c = 0; c < channels; c++) dst[i + c] = lut[u8[i + c]! * channels + c]!;
  }
  return dst;
}

/** HWC -> CHW (torch's layout), for comparing with or writing PyTorch tensors. */
export function hwcToChw(src: ArrayLike<number>, h: number, w: number, channels: number): Float32Array {
  if (src.length !== h * w * channels) {
    throw new RangeError(`hwcToChw: ${src.length} values, expected ${h}*${w}*${channels}`);
  }
  const out = new Float32Array(src.length);
  const plane = h * w;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) out[c * plane + p] = src[p * channels + c]!;
  }
  return out;
}
