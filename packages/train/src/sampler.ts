import { Rng } from '@facemask/contracts';

/**
 * The order in which one epoch visits the training samples. It depends only on (seed, epoch), not
 * on anything drawn before, so a resumed run sees exactly the batches an uninterrupted one would.
 */
export interface EpochPlanOptions {
  seed: number;
  epoch: number;
  batchSize: number;
  /** uniform: a shuffle of every sample; balanced: draw classes uniformly, then a sample of it. */
  sampler: 'uniform' | 'balanced';
  /** Keep a last batch smaller than batchSize (evaluation) or drop it (training, BatchNorm). */
  dropLast?: boolean;
}

export function planEpoch(classes: readonly number[], opts: EpochPlanOptions): number[][] {
  const n = classes.length;
  if (n === 0) throw new Error('no training samples: check the fold split and the dropped age ranges');
  const rng = Rng.derive(opts.seed, 'epoch-order', opts.epoch);
  let order: number[];
  if (opts.sampler === 'uniform') {
    order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  } else {
    const byClass = new Map<number, number[]>();
    classes.forEach((c, i) => {
      const list = byClass.get(c) ?? [];
      list.push(i);
      byClass.set(c, list);
    });
    const groups = [...byClass.keys()].sort((a, b) => a - b).map((c) => byClass.get(c) as number[]);
    order = Array.from({ length: n }, () => rng.pick(rng.pick(groups)));
  }
  return chunk(order, opts.batchSize, opts.dropLast ?? false);
}

export function chunk<T>(items: readonly T[], size: number, dropLast = false): T[][] {
  if (!(size >= 1)) throw new Error(`batch size must be >= 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    const b = items.slice(i, i + size);
    if (dropLast && b.length < size && out.length > 0) break;
    out.push(b);
  }
  return out;
}

/** Inverse-frequency class weights normalised to mean 1 over the classes present. */
export function classWeights(classes: readonly number[], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const c of classes) counts[c] = (counts[c] ?? 0) + 1;
  const present = counts.filter((c) => c > 0).length;
  const inv = counts.map((c) => (c > 0 ? 1 / c : 0));
  const mean = inv.reduce((a, b) => a + b, 0) / Math.max(1, present);
  return inv.map((w) => w / mean);
}
