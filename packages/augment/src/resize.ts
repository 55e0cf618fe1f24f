/**
 * PIL's Image.resize(size, BILINEAR) for 8-bit images (Pillow 9.x src/libImaging/Resample.c), the
 * resize torchvision 0.14 applies to PIL images. Separable triangle filter whose support grows with
 * the shrink factor (antialias), coefficients normalised to sum 1 and then quantised to 22-bit fixed
 * point; the horizontal pass runs first and its result is rounded to uint8 before the vertical pass.
 * tf.image.resizeBilinear does not antialias and is measurably off on downscales.
 */

/** 32 - 8 - 2: 8 bits of result, 2 bits of head room for filters with negative lobes. */
const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

interface Coeffs {
  ksize: number;
  /** Per output index: first source index and number of taps. */
  bounds: Int32Array;
  /** Fixed-point weights, ksize per output index. */
  kk: Int32Array;
}

function triangle(x: number): number {
  if (x < 0) x = -x;
  return x < 1 ? 1 - x : 0;
}

/** precompute_coeffs + normalize_coeffs_8bpc, for the box [0, inSize]. */
function precomputeCoeffs(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = 1 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) truncates toward zero.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = triangle((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < ksize; x++) {
      let v = x < xmax ? k[x]! : 0;
      if (x < xmax && ww !== 0) v /= ww;
      kk[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

// Preprocessing resizes thousands of photos between the same few sizes.
const cache = new Map<string, Coeffs>();
function coeffs(inSize: number, outSize: number): Coeffs {
  const key = `${inSize}>${outSize}`;
  let c = cache.get(key);
  if (!c) {
    if (cache.size > 64) cache.clear();
    c = precomputeCoeffs(inSize, outSize);
    cache.set(key, c);
  }
  return c;
}

/** clip8: arithmetic shift, then clamp to 0..255 (PIL's lookup table). */
function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function horizontal(
  src: Uint8Array, w: number, c: number, rowFirst: number, rows: number, outW: number, co: Coeffs,
): Uint8Array {
  const out = new Uint8Array(rows * outW * c);
  const { ksize, bounds, kk } = co;
  for (let y = 0; y < rows; y++) {
    const rowIn = (y + rowFirst) * w * c;
    let o = y * outW * c;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = bounds[xx * 2]!;
      const xmax = bounds[xx * 2 + 1]!;
      const kb = xx * ksize;
      let p = rowIn + xmin * c;
      if (c === 3) {
        // The common RGB case, one pass over the taps for all three channels.
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        for (let x = 0; x < xmax; x++, p += 3) {
          const k = kk[kb + x]!;
          s0 = (s0 + Math.imul(src[p]!, k)) | 0;
          s1 = (s1 + Math.imul(src[p + 1]!, k)) | 0;
          s2 = (s2 + Math.imul(src[p + 2]!, k)) | 0;
        }
        out[o++] = clip8(s0);
        out[o++] = clip8(s1);
        out[o++] = clip8(s2);
      } else {
        for (let ch = 0; ch < c; ch++) {
          let ss = HALF;
          for (let x = 0, q = p + ch; x < xmax; x++, q += c) ss = (ss + Math.imul(src[q]!, kk[kb + x]!)) | 0;
          out[o++] = clip8(ss);
        }
      }
    }
  }
  return out;
}

function vertical(src: Uint8Array, w: number, c: number, outH: number, co: Coeffs, rowShift: number): Uint8Array {
  const out = new Uint8Array(outH * w * c);
  const { ksize, bounds, kk } = co;
  const stride = w * c;
  // Row-wise accumulation reads the source sequentially; the integer sums are the same as PIL's
  // column-wise ones. Every partial sum fits in int32 (255 * 2^22 + 2^21 < 2^31), so int32
  // arithmetic (Math.imul, | 0) is exact and keeps V8 off doubles.
  const acc = new Int32Array(stride);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2]! - rowShift;
    const ymax = bounds[yy * 2 + 1]!;
    const kb = yy * ksize;
    acc.fill(HALF);
    for (let y = 0; y < ymax; y++) {
      const k = kk[kb + y]!;
      if (k === 0) continue;
      const row = (ymin + y) * stride;
      for (let i = 0; i < stride; i++) acc[i] = (acc[i]! + Math.imul(src[row + i]!, k)) | 0;
    }
    const rowOut = yy * stride;
    for (let i = 0; i < stride; i++) out[rowOut + i] = clip8(acc[i]!);
  }
  return out;
}

/** PIL Image.resize((outW, outH), Image.BILINEAR) on an HWC uint8 buffer with 1-4 channels. */
export function resizeU8(
  src: Uint8Array,
  h: number,
  w: number,
  channels: number,
  outH: number,
  outW: number,
): Uint8Array {
  for (const [k, v] of Object.entries({ h, w, channels, outH, outW })) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`resizeU8: ${k} must be a positive integer, got ${v}`);
  }
  if (src.length !== h * w * channels) {
    throw new RangeError(`resizeU8: buffer has ${src.length} bytes, expected h*w*channels = ${h}*${w}*${channels}`);
  }
  const needH = outW !== w;
  const needV = outH !== h;
  if (!needH && !needV) return src.slice();
  const cv = coeffs(h, outH);
  let img = src;
  let rowShift = 0;
  if (needH) {
    // Only the source rows the vertical pass will read are resampled horizontally.
    const first = cv.bounds[0]!;
    const last = cv.bounds[outH * 2 - 2]! + cv.bounds[outH * 2 - 1]!;
    img = horizontal(src, w, channels, needV ? first : 0, needV ? last - first : h, outW, coeffs(w, outW));
    rowShift = needV ? first : 0;
  }
  return needV ? vertical(img, needH ? outW : w, channels, outH, cv, rowShift) : img;
}

/**
 * Output (height, width) of torchvision's Resize(size) for an int size: the shorter edge becomes
 * `size`, the longer int(size * long / short) (truncated, as Python's int() does).
 */
export function resizeShorterEdge(h: number, w: number, size: number): [outH: number, outW: number] {
  for (const [k, v] of Object.entries({ h, w, size })) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`resizeShorterEdge: ${k} must be a positive integer, got ${v}`);
  }
  if (w <= h) return [Math.trunc((size * h) / w), size];
  return [size, Math.trunc((size * w) / h)];
}
