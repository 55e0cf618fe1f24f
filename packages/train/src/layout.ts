import { join } from 'node:path';

/**
 * Where the train stage writes (and ensemble reads): `<work>/train/round<r>/fold-<k>/`. This module
 * is its own export (`@facemask/train/layout`) so readers need not load tfjs.
 */
export function roundDir(work: string, round: number): string {
  return join(work, 'train', `round${round}`);
}

export function foldDir(work: string, round: number, fold: number): string {
  return join(roundDir(work, round), `fold-${fold}`);
}

export const foldFiles = {
  last: 'last',
  best: 'best',
  metrics: 'metrics.jsonl',
  oof: 'predictions-oof.json',
  eval: 'predictions-eval.json',
  summary: 'summary.json',
  summaryText: 'summary.txt',
  augment: 'augment.json',
} as const;

/** Pooled backbone features computed once for the fast frozen mode, keyed by what shapes them. */
export function featureCacheDir(work: string, key: string): string {
  return join(work, 'train', 'features', key);
}
