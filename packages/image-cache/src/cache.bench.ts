/**
 * Benchmark, not a test: batches/s read from a preprocess image cache (random batches, as training
 * reads them). `npx tsx --conditions=source src/cache.bench.ts [workDir] [batch] [batches] [dataRoot]`
 * (the data root rebuilds a store that is missing).
 */
import { resolve } from 'node:path';
import { Rng } from '@facemask/contracts';
import { openImageCache } from './cache.ts';

const work = resolve(process.argv[2] ?? '../../data/work');
const batch = Number(process.argv[3] ?? 32);
const batches = Number(process.argv[4] ?? 200);
const root = resolve(process.argv[5] ?? '../../data/sample');
const cache = await openImageCache(work, 'train', { root });
const rng = new Rng(1);
try {
  const plan = Array.from({ length: batches }, () => Array.from({ length: batch }, () => rng.int(0, cache.count)));
  await cache.read(plan[0]!);
  const t = performance.now();
  let bytes = 0;
  for (const rows of plan) bytes += (await cache.read(rows)).byteLength;
  const s = (performance.now() - t) / 1000;
  console.log(
    `${cache.count} photos at ${cache.height}x${cache.width}: ${(batches / s).toFixed(1)} batches/s of ${batch} (${((batches * batch) / s).toFixed(0)} photos/s, ${(bytes / s / 1e6).toFixed(0)} MB/s)`,
  );
} finally {
  await cache.close();
}
