/**
 * Throughput of the preprocessing and augmentation paths (a benchmark, not a test):
 *   npx tsx --conditions=source src/decode.bench.ts [imageDir] [photos]
 * Compare with bench/torchvision_decode.py (same photos, PIL + torchvision).
 */
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { Rng } from '@facemask/contracts';
import { referenceDir } from '@facemask/contracts/reference';
import { buildAugmenter } from './augmenter.ts';
import { evalTransform } from './eval.ts';
import { centerCropU8 } from './crop.ts';
import { normalizeToFloat } from './normalize.ts';
import { resizeShorterEdge, resizeU8 } from './resize.ts';
import { useBackend } from './tf-backends.testutil.ts';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const CROP = 384;
const SIZE = 224;

const dir = resolve(process.argv[2] ?? join(referenceDir(), 'images'));
const count = Number(process.argv[3] ?? 51);
const found = readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort();
if (found.length === 0) throw new Error(`no .jpg files in ${dir}: pass a folder of JPEGs as the first argument`);
const files = Array.from({ length: count }, (_, i) => join(dir, found[i % found.length]!));

// sequentialRead (libvips' sequential access) roughly halves the decode time of a whole-image read.
async function decode(file: string) {
  const { data, info } = await sharp(file, { sequentialRead: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), h: info.height, w: info.width };
}

function transform(img: { data: Uint8Array; h: number; w: number }): Float32Array {
  const crop = centerCropU8(img.data, img.h, img.w, 3, CROP, CROP);
  const [oh, ow] = resizeShorterEdge(CROP, CROP, SIZE);
  return normalizeToFloat(resizeU8(crop, CROP, CROP, 3, oh, ow), MEAN, STD);
}

function rate(n: number, ms: number): string {
  return `${((n * 1000) / ms).toFixed(1)}/s (${(ms / n).toFixed(2)} ms each)`;
}

async function benchDecode(): Promise<void> {
  for (let i = 0; i < 5; i++) transform(await decode(files[i % files.length]!));
  let t = performance.now();
  let decodeMs = 0;
  for (const f of files) {
    const t0 = performance.now();
    const img = await decode(f);
    decodeMs += performance.now() - t0;
    transform(img);
  }
  const seq = performance.now() - t;
  console.log(`decode+CenterCrop(${CROP})+Resize(${SIZE})+Normalize, 1 photo at a time: ${rate(files.length, seq)}`);
  console.log(`  of which sharp decode ${(decodeMs / files.length).toFixed(2)} ms, crop+resize+normalise ${((seq - decodeMs) / files.length).toFixed(2)} ms per photo`);
  // sharp decodes on libuv's thread pool; keep two decodes in flight so the JS transform overlaps them.
  t = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < files.length) transform(await decode(files[next++]!));
  };
  await Promise.all([worker(), worker()]);
  console.log(`same, 2 decodes in flight (sharp concurrency ${sharp.concurrency()}): ${rate(files.length, performance.now() - t)}`);
}

function benchAugment(backend: string): void {
  const [n, h, w] = [32, SIZE, SIZE];
  const rng = new Rng(1);
  const batch = Uint8Array.from({ length: n * h * w * 3 }, () => rng.int(0, 256));
  const labels = Array.from({ length: n }, (_, i) => i % 18);
  const setups: [string, unknown[]][] = [
    ['normalise only (evalTransform)', []],
    ['hflip (config default)', [{ type: 'hflip' }]],
    ['rrc+hflip+colorJitter+noise+erasing+cutmix', [
      { type: 'randomResizedCrop' }, { type: 'hflip' }, { type: 'colorJitter' }, { type: 'gaussianNoise' },
      { type: 'randomErasing' }, { type: 'cutmix', mode: 'vertical-half' },
    ]],
  ];
  for (const [name, specs] of setups) {
    const aug = buildAugmenter(specs, { mean: MEAN, std: STD, outHeight: h, outWidth: w, seed: 1 });
    const step = (k: number) => {
      if (specs.length === 0) {
        const x = evalTransform(batch, n, h, w, { mean: MEAN, std: STD });
        x.dataSync();
        x.dispose();
        return;
      }
      const { x, y } = aug(batch, n, h, w, labels, 0, k);
      x.dataSync();
      tf.dispose([x, y]);
    };
    step(0);
    const reps = 6;
    const t = performance.now();
    for (let k = 1; k <= reps; k++) step(k);
    const ms = performance.now() - t;
    console.log(`[${backend}] batch ${n}x${h}x${w} ${name}: ${((reps * 1000) / ms).toFixed(2)} batches/s (${(ms / reps).toFixed(0)} ms/batch, ${((reps * n * 1000) / ms).toFixed(0)} photos/s)`);
  }
}

console.log(`${files.length} JPEGs from ${dir}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
await benchDecode();
for (const backend of ['cpu', 'wasm'] as const) {
  await useBackend(backend);
  benchAugment(backend);
}
