import { resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readSafetensors, tensorData, type SafeTensor } from '@facemask/engine';
import { checkTolerance, referenceCases, referenceDir, type ReferenceCase } from '@facemask/contracts/reference';
import { applyDeterministic, type DeterministicOp, type U8Image } from './pipeline.ts';
import { hwcToChw, normalizeToFloat } from './normalize.ts';

/**
 * Parity with torchvision 0.14 on PIL images for every 'preprocess' case of the fixture manifest.
 * Sizes come from each case's pipeline text, so other fixture sets of the same schema run as is.
 */

const cases = referenceCases('preprocess');

/** "CenterCrop(384), Resize((128, 96), BILINEAR) ..." -> the crop/resize steps in order. */
function parsePipeline(text: string): DeterministicOp[] {
  const ops: DeterministicOp[] = [];
  for (const m of text.matchAll(/(CenterCrop|Resize)\(\s*(?:\(\s*(\d+)\s*,\s*(\d+)\s*\)|(\d+))/g)) {
    const size: DeterministicOp['size'] = m[4] !== undefined ? Number(m[4]) : [Number(m[2]), Number(m[3])];
    ops.push({ op: m[1] === 'CenterCrop' ? 'centerCrop' : 'resize', size });
  }
  return ops;
}

function tol(c: ReferenceCase, ...path: string[]): Record<string, unknown> | undefined {
  let node: unknown = c.tolerances;
  for (const p of path) node = (node as Record<string, unknown> | undefined)?.[p];
  return node && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

function diffStats(a: ArrayLike<number>, b: ArrayLike<number>, channels: number) {
  let max = 0;
  let sum = 0;
  let pixels = 0;
  for (let i = 0; i < a.length; i += channels) {
    let px = false;
    for (let c = 0; c < channels; c++) {
      const d = Math.abs(a[i + c]! - b[i + c]!);
      if (d > max) max = d;
      sum += d;
      if (d > 0) px = true;
    }
    if (px) pixels++;
  }
  return { max, mean: sum / a.length, pixelsDiffering: pixels, pixels: a.length / channels };
}

async function sharpDecode(file: string): Promise<U8Image> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), height: info.height, width: info.width, channels: info.channels };
}

function tensor(all: Map<string, SafeTensor>, c: ReferenceCase, key: string): SafeTensor {
  const name = c.select?.tensor_names?.[key];
  const t = name === undefined ? undefined : all.get(name);
  if (!t) throw new Error(`case ${c.id}: tensor for ${key} (${name}) missing from ${c.files.tensors}`);
  return t;
}

describe.runIf(cases.length > 0)('torchvision/PIL preprocess parity', () => {
  it('finds preprocess cases in the manifest', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    describe(c.id, () => {
      const load = async () => {
        const dir = referenceDir();
        const file = c.files.tensors;
        if (!file || !c.files.image) throw new Error(`case ${c.id} lacks files.tensors or files.image`);
        const st = await readSafetensors(resolve(dir, file));
        const dec = tensor(st.tensors, c, 'decoded_u8');
        const [h, w, ch] = dec.shape as [number, number, number];
        const ref: U8Image = { data: tensorData(dec) as Uint8Array, height: h, width: w, channels: ch };
        return { st: st.tensors, ref, own: await sharpDecode(resolve(dir, c.files.image)) };
      };
      const mean = c.params.mean as number[];
      const std = c.params.std as number[];
      const pipelines = c.params.pipelines as Record<string, string>;
      const normKeys = Object.keys(c.select?.tensor_names ?? {}).filter((k) => k.endsWith('_normalize'));

      it('sharp decodes the JPEG like Pillow (within the decoded_u8 tolerance)', async () => {
        const { ref, own } = await load();
        expect([own.height, own.width, own.channels]).toEqual([ref.height, ref.width, ref.channels]);
        const d = diffStats(own.data, ref.data, ref.channels);
        console.log(`${c.id} decode sharp vs PIL: max ${d.max}, mean ${d.mean.toFixed(5)}, ${d.pixelsDiffering}/${d.pixels} pixels differ`);
        const r = checkTolerance(own.data, ref.data, tol(c, 'decoded_u8') ?? { exact: true });
        expect(r.ok, r.message).toBe(true);
        // The faster sequential-access read decodes the same pixels.
        const seq = await sharp(resolve(referenceDir(), c.files.image!), { sequentialRead: true }).removeAlpha().raw().toBuffer();
        expect(Buffer.compare(seq, Buffer.from(own.data))).toBe(0);
      });

      it('has a pipeline text with a crop or resize for every normalised tensor', () => {
        expect(normKeys.length).toBeGreaterThan(0);
        for (const k of normKeys) expect(parsePipeline(pipelines[k] ?? '').length, k).toBeGreaterThan(0);
      });

      for (const key of normKeys) {
        it(`${key}: from decoded_u8 and from sharp's decode`, async () => {
          const { st, ref, own } = await load();
          const ops = parsePipeline(pipelines[key] ?? '');
          const expected = tensor(st, c, key);
          const refF = tensorData(expected) as Float32Array;
          const u8Key = key.replace(/_normalize$/, '_u8');
          const hasU8 = c.select?.tensor_names?.[u8Key] !== undefined;
          const hasResize = ops.some((o) => o.op === 'resize');
          const fromDecodedTol =
            tol(c, 'from_decoded_u8', key) ?? (hasResize ? tol(c, 'from_decoded_u8', 'resize_normalize') : undefined) ?? tol(c, key);
          const sources: [string, U8Image, Record<string, unknown> | undefined][] = [
            ['decoded_u8', ref, fromDecodedTol],
            ['sharp', own, tol(c, key)],
          ];
          for (const [label, src, t] of sources) {
            const out = applyDeterministic(src, ops);
            expect([out.channels, out.height, out.width], `${label} output shape`).toEqual(expected.shape);
            if (hasU8) {
              const refU8 = tensorData(tensor(st, c, u8Key)) as Uint8Array;
              const d = diffStats(out.data, refU8, out.channels);
              console.log(`${c.id} ${u8Key} from ${label}: max ${d.max}, mean ${d.mean.toFixed(5)}, ${d.pixelsDiffering}/${d.pixels} pixels differ`);
              // Fed Pillow's own pixels, the fixed-point filter must give Pillow's bytes exactly.
              if (label === 'decoded_u8') {
                const r = checkTolerance(out.data, refU8, tol(c, u8Key) ?? { exact: true });
                expect(r.ok, `${u8Key}: ${r.message}`).toBe(true);
              }
            }
            const chw = hwcToChw(normalizeToFloat(out.data, mean, std), out.height, out.width, out.channels);
            const d = diffStats(chw, refF, 1);
            console.log(`${c.id} ${key} from ${label}: max ${d.max.toExponential(3)}, mean ${d.mean.toExponential(3)}`);
            if (!t) throw new Error(`case ${c.id} has no tolerance for ${key} (${label})`);
            const r = checkTolerance(chw, refF, t);
            expect(r.ok, `${key} from ${label}: ${r.message}`).toBe(true);
          }
        });
      }
    });
  }
});
