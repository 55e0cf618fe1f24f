import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { NUM_CLASSES } from '@facemask/contracts';
import { foldBatchNorms, TorchBatchNorm } from '@facemask/model-resnet';
import type { HeadAdapter } from './head.ts';
import { chunk } from './sampler.ts';
import type { BatchSource } from './source.ts';
import { evalBatch } from './step.ts';

/**
 * Starts loading a batch in the background. If training stops before the batch is used (an
 * error, a divergence), the cache closes under the read: that rejection is expected and must not
 * surface as an unhandled one, which the wasm backend turns into a process crash.
 */
export function prefetch<Raw>(source: BatchSource<Raw>, rows: number[]): Promise<Raw> {
  const p = source.fetch(rows);
  p.catch(() => {});
  return p;
}

export function argmaxRows(probs: Float32Array, k = NUM_CLASSES): number[] {
  const n = probs.length / k;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if ((probs[i * k + c] as number) > (probs[i * k + best] as number)) best = c;
    out[i] = best;
  }
  return out;
}

/** Probabilities of the given rows, batch by batch, optionally averaging the mirrored view. */
export async function predictRows<Raw>(
  source: BatchSource<Raw>,
  model: LayersModel,
  head: HeadAdapter,
  rows: number[],
  targets: number[][] | null,
  batchSize: number,
  tta: boolean,
): Promise<{ probs: Float32Array; loss: number }> {
  const probs = new Float32Array(rows.length * NUM_CLASSES);
  let lossSum = 0;
  let offset = 0;
  const batches = chunk(rows.map((_, i) => i), batchSize);
  let pending = batches.length ? prefetch(source, batches[0]!.map((i) => rows[i]!)) : null;
  // Once for all batches: BatchNorms folded into the convolutions (same outputs, fewer kernels).
  const inference = model.layers.some((l) => l instanceof TorchBatchNorm) ? foldBatchNorms(model) : model;
  try {
    for (let b = 0; b < batches.length; b++) {
      const raw = await (pending as Promise<Raw>);
      const next = batches[b + 1];
      if (next) pending = prefetch(source, next.map((i) => rows[i]!));
      const idx = batches[b]!;
      const views = source.views(raw, tta);
      const y = targets ? tf.tensor2d(idx.map((i) => targets[i]!), [idx.length, NUM_CLASSES]) : null;
      try {
        const r = evalBatch(inference, head, views, y);
        probs.set(r.probs, offset * NUM_CLASSES);
        lossSum += r.lossSum;
      } finally {
        tf.dispose(views);
        y?.dispose();
      }
      offset += idx.length;
    }
  } finally {
    if (inference !== model) inference.dispose();
  }
  return { probs, loss: rows.length ? lossSum / rows.length : 0 };
}
