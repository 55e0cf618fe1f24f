import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@facemask/contracts';
import { buildAugmenter } from './augmenter.ts';
import { evalTransform, ttaViews } from './eval.ts';
import { cropU8 } from './kernels.ts';
import { normalizeToFloat } from './normalize.ts';
import { resizeU8 } from './resize.ts';
import { BACKENDS, useBackend } from './tf-backends.testutil.ts';

const mean = [0.485, 0.456, 0.406];
const std = [0.229, 0.224, 0.225];
const C = 18;

function noiseBatch(n: number, h: number, w: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: n * h * w * 3 }, () => rng.int(0, 256));
}

/** Photo i is one flat colour (distinct per photo), so a pixel tells which photo it came from. */
function flatBatch(n: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(n * h * w * 3);
  for (let i = 0; i < n; i++) for (let p = 0; p < h * w; p++) out.set([20 + 25 * i, 200 - 20 * i, 10 * i], (i * h * w + p) * 3);
  return out;
}

const arr = (t: tf.Tensor) => t.dataSync() as Float32Array;
/** x of the reproducibility batch per backend, to check that backends agree bit for bit. */
const byBackend = new Map<string, Float32Array>();
const rowSums = (y: Float32Array, n: number) => Array.from({ length: n }, (_, i) => y.subarray(i * C, (i + 1) * C).reduce((a, b) => a + b, 0));

for (const backend of BACKENDS) {
  describe(`augmenter on ${backend}`, () => {
    beforeAll(() => useBackend(backend));
    const base = { mean, std, seed: 7 };
    const labels = [0, 5, 11, 17, 3, 8];

    it('is bitwise reproducible for (seed, epoch, batchIndex), equal across backends, and varies across batches', () => {
      const specs = [
        { type: 'randomResizedCrop' },
        { type: 'hflip' },
        { type: 'colorJitter', p: 0.8 },
        { type: 'gaussianNoise', p: 0.5 },
        { type: 'randomErasing', p: 0.5 },
        { type: 'mixup', p: 0.5 },
        { type: 'cutmix', p: 0.5 },
      ];
      const aug = buildAugmenter(specs, { ...base, outHeight: 24, outWidth: 20 });
      const again = buildAugmenter(specs, { ...base, outHeight: 24, outWidth: 20 });
      const batch = noiseBatch(6, 32, 28, 1);
      const a = aug(batch, 6, 32, 28, labels, 2, 5);
      const b = again(batch, 6, 32, 28, labels, 2, 5);
      const c = aug(batch, 6, 32, 28, labels, 2, 6);
      const d = aug(batch, 6, 32, 28, labels, 3, 5);
      expect(a.x.shape).toEqual([6, 24, 20, 3]);
      expect(a.y.shape).toEqual([6, C]);
      expect(Buffer.from(arr(a.x).buffer).equals(Buffer.from(arr(b.x).buffer))).toBe(true);
      expect(Array.from(arr(a.y))).toEqual(Array.from(arr(b.y)));
      expect(Array.from(arr(a.x))).not.toEqual(Array.from(arr(c.x)));
      expect(Array.from(arr(a.x))).not.toEqual(Array.from(arr(d.x)));
      byBackend.set(backend, arr(a.x).slice());
      const first = byBackend.get(BACKENDS[0]!);
      expect(Buffer.from(first!.buffer).equals(Buffer.from(arr(a.x).slice().buffer)), `${backend} vs ${BACKENDS[0]}`).toBe(true);
      for (const r of [a, b, c, d]) tf.dispose([r.x, r.y]);
    });

    it('without transforms gives exactly the torchvision normalisation (and equals evalTransform)', () => {
      const batch = noiseBatch(3, 16, 12, 2);
      const { x, y } = buildAugmenter([], { ...base, outHeight: 16, outWidth: 12 })(batch, 3, 16, 12, [1, 2, 3], 0, 0);
      const e = evalTransform(batch, 3, 16, 12, { mean, std });
      expect(Array.from(arr(x))).toEqual(Array.from(normalizeToFloat(batch, mean, std)));
      expect(Array.from(arr(e))).toEqual(Array.from(arr(x)));
      expect(Array.from(arr(y).subarray(0, C)).indexOf(1)).toBe(1);
      tf.dispose([x, y, e]);
    });

    it('hflip with p=1 mirrors every photo exactly; evalTransform flip and ttaViews agree', () => {
      const batch = noiseBatch(2, 9, 7, 3);
      const { x, y } = buildAugmenter([{ type: 'hflip', p: 1 }], { ...base, outHeight: 9, outWidth: 7 })(batch, 2, 9, 7, [0, 1], 0, 0);
      const plain = evalTransform(batch, 2, 9, 7, { mean, std });
      const mirrored = tf.reverse(plain, 2);
      const flipped = evalTransform(batch, 2, 9, 7, { mean, std, flip: true });
      const [v0, v1] = ttaViews(batch, 2, 9, 7, { mean, std });
      expect(Array.from(arr(x))).toEqual(Array.from(arr(mirrored)));
      expect(Array.from(arr(flipped))).toEqual(Array.from(arr(mirrored)));
      expect(Array.from(arr(v0))).toEqual(Array.from(arr(plain)));
      expect(Array.from(arr(v1))).toEqual(Array.from(arr(mirrored)));
      tf.dispose([x, y, plain, mirrored, flipped, v0, v1]);
    });

    it('randomResizedCrop = crop the planned rectangle, PIL bilinear resize (torchvision resized_crop on PIL)', () => {
      const [n, h, w] = [4, 20, 30];
      // Red channel = column index * 8: a crop of columns [l, l+cw) resized to ow columns stays a ramp,
      // output column ox showing source column l + (ox + 0.5) * cw / ow - 0.5 (pixel centres).
      const batch = new Uint8Array(n * h * w * 3);
      for (let i = 0; i < n * h; i++) for (let c = 0; c < w; c++) batch[(i * w + c) * 3] = c * 8;
      const [oh, ow] = [10, 10];
      const { x, y, plan } = buildAugmenter([{ type: 'randomResizedCrop', scale: [0.3, 0.6] }], { ...base, outHeight: oh, outWidth: ow })(
        batch, n, h, w, [0, 0, 0, 0], 1, 1,
      );
      const vals = arr(x);
      const per = h * w * 3;
      plan.samples.forEach((s, i) => {
        expect(s.crop).not.toBeNull();
        const r = s.crop!;
        expect(r.width * r.height).toBeLessThanOrEqual(0.6 * h * w + w + h);
        const photo = batch.subarray(i * per, (i + 1) * per);
        const expected = normalizeToFloat(resizeU8(cropU8(photo, h, w, 3, r), r.height, r.width, 3, oh, ow), mean, std);
        expect(Array.from(vals.subarray(i * oh * ow * 3, (i + 1) * oh * ow * 3))).toEqual(Array.from(expected));
        for (let ox = 1; ox < ow - 1; ox++) {
          const srcCol = r.left + ((ox + 0.5) * r.width) / ow - 0.5;
          expect(vals[((i * oh + 3) * ow + ox) * 3]).toBeCloseTo(((srcCol * 8) / 255 - mean[0]!) / std[0]!, 1);
        }
      });
      tf.dispose([x, y]);
    });

    it('colorJitter: brightness scales and clamps; saturation leaves grey photos unchanged; contrast blends to the mean grey', () => {
      const grey = new Uint8Array(2 * 4 * 4 * 3);
      for (let p = 0; p < 16; p++) grey.fill(40 + p * 10, p * 3, p * 3 + 3);
      grey.copyWithin(48, 0, 48);
      const unit = (v: number, c: number) => (Math.min(1, v) - mean[c]!) / std[c]!;
      const bright = buildAugmenter([{ type: 'colorJitter', brightness: 0.5, contrast: 0, saturation: 0 }], { ...base, outHeight: 4, outWidth: 4 });
      const b = bright(grey, 2, 4, 4, [0, 0], 0, 3);
      const bv = arr(b.x);
      b.plan.samples.forEach((s, i) => {
        const f = s.jitter!.brightness;
        expect(f).toBeGreaterThanOrEqual(0.5);
        expect(f).toBeLessThanOrEqual(1.5);
        for (let k = 0; k < 48; k++) expect(bv[i * 48 + k]).toBeCloseTo(unit((grey[i * 48 + k]! / 255) * f, k % 3), 4);
      });
      const sat = buildAugmenter([{ type: 'colorJitter', brightness: 0, contrast: 0, saturation: 0.9 }], { ...base, outHeight: 4, outWidth: 4 })(grey, 2, 4, 4, [0, 0], 0, 0);
      const flat = flatBatch(2, 4, 4);
      const con = buildAugmenter([{ type: 'colorJitter', brightness: 0, contrast: 0.9, saturation: 0 }], { ...base, outHeight: 4, outWidth: 4 })(flat, 2, 4, 4, [0, 0], 0, 0);
      const sv = arr(sat.x);
      // Grey pixels: r = g = b, and torchvision's grey weights sum to 0.9999, hence the tolerance.
      for (let k = 0; k < sv.length; k++) expect(sv[k]).toBeCloseTo(unit(grey[k]! / 255, k % 3), 3);
      // Contrast blends towards the photo's mean grey: clamp(c * x + (1 - c) * mean(gray)).
      const cv = arr(con.x);
      con.plan.samples.forEach((s, i) => {
        const f = s.jitter!.contrast;
        const [r, g, b] = [0, 1, 2].map((c) => flat[i * 48 + c]! / 255) as [number, number, number];
        const m = 0.2989 * r + 0.587 * g + 0.114 * b;
        for (let k = 0; k < 48; k++) expect(cv[i * 48 + k]).toBeCloseTo(unit(Math.max(0, f * [r, g, b][k % 3]! + (1 - f) * m), k % 3), 4);
      });
      tf.dispose([b.x, b.y, sat.x, sat.y, con.x, con.y]);
    });

    it('gaussianNoise adds N(0, std) in [0,1] units to the photos that drew it and nothing to the rest', () => {
      const [n, h, w] = [6, 24, 24];
      const batch = noiseBatch(n, h, w, 4);
      const { x, y, plan } = buildAugmenter([{ type: 'gaussianNoise', std: 0.05, p: 0.5 }], { ...base, outHeight: h, outWidth: w })(batch, n, h, w, labels, 0, 2);
      const clean = normalizeToFloat(batch, mean, std);
      const v = arr(x);
      const per = h * w * 3;
      expect(plan.samples.some((s) => s.noise)).toBe(true);
      plan.samples.forEach((s, i) => {
        let sum = 0;
        let sq = 0;
        for (let k = 0; k < per; k++) {
          const e = (v[i * per + k]! - clean[i * per + k]!) * std[k % 3]!;
          sum += e;
          sq += e * e;
        }
        const sd = Math.sqrt(sq / per - (sum / per) ** 2);
        if (s.noise) {
          expect(sd).toBeGreaterThan(0.045);
          expect(sd).toBeLessThan(0.055);
          expect(Math.abs(sum / per)).toBeLessThan(0.005);
        } else {
          expect(sd).toBeLessThan(1e-5);
        }
      });
      tf.dispose([x, y]);
    });

    it('randomErasing zeroes the planned rectangle after Normalize and keeps the rest', () => {
      const [n, h, w] = [6, 16, 16];
      const batch = noiseBatch(n, h, w, 5);
      const { x, y, plan } = buildAugmenter([{ type: 'randomErasing', p: 0.7 }], { ...base, outHeight: h, outWidth: w })(batch, n, h, w, labels, 1, 0);
      const clean = normalizeToFloat(batch, mean, std);
      const v = arr(x);
      expect(plan.samples.some((s) => s.erase)).toBe(true);
      plan.samples.forEach((s, i) => {
        for (let yy = 0; yy < h; yy++)
          for (let xx = 0; xx < w; xx++) {
            const r = s.erase;
            const inside = r !== null && yy >= r.top && yy < r.top + r.height && xx >= r.left && xx < r.left + r.width;
            const k = ((i * h + yy) * w + xx) * 3;
            // == so that -0 (a negative value times 0) counts as the 0 torchvision writes.
            expect(v[k] == (inside ? 0 : clean[k])).toBe(true);
          }
      });
      tf.dispose([x, y]);
    });

    it('mixup blends photos and labels with the same weight; rows sum to 1', () => {
      const [n, h, w] = [4, 6, 6];
      const batch = flatBatch(n, h, w);
      const { x, y, plan } = buildAugmenter([{ type: 'mixup', p: 1, alpha: 0.4 }], { ...base, outHeight: h, outWidth: w })(batch, n, h, w, [2, 4, 6, 8], 0, 0);
      const mix = plan.mix!;
      expect(mix.kind).toBe('mixup');
      if (mix.kind !== 'mixup') return;
      const clean = normalizeToFloat(batch, mean, std);
      const v = arr(x);
      const yv = arr(y);
      const per = h * w * 3;
      for (let i = 0; i < n; i++) {
        const j = mix.perm[i]!;
        expect(v[i * per]).toBeCloseTo(mix.lam * clean[i * per]! + (1 - mix.lam) * clean[j * per]!, 5);
        const own = yv[i * C + [2, 4, 6, 8][i]!]!;
        expect(own).toBeCloseTo(j === i ? 1 : mix.lam, 6);
      }
      for (const s of rowSums(yv, n)) expect(s).toBeCloseTo(1, 6);
      tf.dispose([x, y]);
    });

    for (const mode of ['box', 'vertical-half'] as const) {
      it(`cutmix (${mode}): label weights equal the pixel area each photo contributes`, () => {
        const [n, h, w] = [5, 20, 15];
        const batch = flatBatch(n, h, w);
        const cls = [1, 3, 5, 7, 9];
        const { x, y, plan } = buildAugmenter([{ type: 'cutmix', p: 1, mode }], { ...base, outHeight: h, outWidth: w })(batch, n, h, w, cls, 4, 9);
        expect(plan.mix?.kind).toBe('cutmix');
        const clean = normalizeToFloat(batch, mean, std);
        const v = arr(x);
        const yv = arr(y);
        for (let i = 0; i < n; i++) {
          const counts = new Array<number>(n).fill(0);
          for (let p = 0; p < h * w; p++) {
            const src = [...Array(n).keys()].filter((s) => clean[s * h * w * 3]! === v[(i * h * w + p) * 3]! && clean[s * h * w * 3 + 1]! === v[(i * h * w + p) * 3 + 1]!);
            expect(src.length).toBe(1);
            counts[src[0]!]!++;
          }
          for (let s = 0; s < n; s++) expect(yv[i * C + cls[s]!]).toBeCloseTo(counts[s]! / (h * w), 6);
          if (mode === 'vertical-half' && plan.mix!.perm[i] !== i) {
            // Left half from the photo itself, right half from its partner.
            expect(counts[i]).toBe(h * Math.floor(w / 2));
          }
        }
        for (const s of rowSums(yv, n)) expect(s).toBeCloseTo(1, 6);
        tf.dispose([x, y]);
      });
    }

    it('accepts soft targets and keeps their mass', () => {
      const soft = [0.7, 0.3, ...new Array(16).fill(0), ...new Array(17).fill(0), 1];
      const { x, y } = buildAugmenter([{ type: 'mixup', p: 1 }], { ...base, outHeight: 4, outWidth: 4 })(noiseBatch(2, 4, 4, 6), 2, 4, 4, soft, 0, 0);
      for (const s of rowSums(arr(y), 2)) expect(s).toBeCloseTo(1, 6);
      tf.dispose([x, y]);
    });

    it('resizes batches cached at another size the way PIL does when no crop is drawn', () => {
      const batch = noiseBatch(2, 20, 16, 8);
      const { x, y } = buildAugmenter([], { ...base, outHeight: 10, outWidth: 8 })(batch, 2, 20, 16, [0, 1], 0, 0);
      const e = evalTransform(batch, 2, 20, 16, { mean, std, outHeight: 10, outWidth: 8 });
      expect(x.shape).toEqual([2, 10, 8, 3]);
      expect(Array.from(arr(x))).toEqual(Array.from(arr(e)));
      tf.dispose([x, y, e]);
    });

    it('does not leak tensors over many batches', () => {
      const specs = [
        { type: 'randomResizedCrop' },
        { type: 'hflip' },
        { type: 'colorJitter' },
        { type: 'gaussianNoise' },
        { type: 'randomErasing', p: 0.5 },
        { type: 'mixup', p: 0.3 },
        { type: 'cutmix', p: 0.5, mode: 'vertical-half' },
      ];
      const aug = buildAugmenter(specs, { ...base, outHeight: 12, outWidth: 12 });
      const batch = noiseBatch(4, 16, 16, 9);
      const run = (k: number) => {
        const { x, y } = aug(batch, 4, 16, 16, [0, 1, 2, 3], 0, k);
        tf.dispose([x, y]);
        const views = ttaViews(batch, 4, 16, 16, { mean, std, outHeight: 12, outWidth: 12 });
        tf.dispose(views);
      };
      run(0);
      const before = tf.memory().numTensors;
      for (let k = 1; k < 40; k++) run(k);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('names the problem on bad input', () => {
      const aug = buildAugmenter([], { ...base, outHeight: 4, outWidth: 4 });
      expect(() => aug(new Uint8Array(10), 1, 4, 4, [0], 0, 0)).toThrow(/expected n\*h\*w\*3/);
      expect(() => aug(new Uint8Array(48), 1, 4, 4, [18], 0, 0)).toThrow(/not a class id/);
      expect(() => aug(new Uint8Array(96), 2, 4, 4, [0, 1, 2], 0, 0)).toThrow(/pass 2 class ids or 2x18/);
      expect(() => buildAugmenter([{ type: 'hflip', p: 2 }], { ...base, outHeight: 4, outWidth: 4 })).toThrow(/augment.train\[0\]/);
    });
  });
}
