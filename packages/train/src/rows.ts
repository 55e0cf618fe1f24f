import { NUM_CLASSES, type EvalList, type PseudoLabels, type Samples } from '@facemask/contracts';
import type { ImageCache } from '@facemask/image-cache';

/** A labelled training or validation row: a row of the (train+eval) image cache and its target. */
export interface Row {
  id: string;
  cacheRow: number;
  cls: number;
  target: number[];
  /** The person's exact age (train.csv); null (or absent) where only the band is known: a pseudo-labelled eval photo. */
  age?: number | null;
}

export interface FoldRows {
  trainRows: Row[];
  valRows: Row[];
  /** Cache rows of the eval photos, in eval list (info.csv) order. */
  evalRows: number[];
  evalIds: string[];
}

function oneHot(cls: number): number[] {
  const t = new Array<number>(NUM_CLASSES).fill(0);
  t[cls] = 1;
  return t;
}

/**
 * Splits the samples of a fold: the fold's own people validate, the others train, and round 2's
 * pseudo-labelled eval photos join the training rows (never the validation rows). Cache rows
 * index the train cache followed by the eval cache (concatCaches).
 */
export function foldRows(samples: Samples, evalList: EvalList, trainCount: number, fold: number, pseudo: PseudoLabels | null): FoldRows {
  const evalRowOf = new Map(evalList.images.map((e) => [e.ImageID, trainCount + e.cacheIndex]));
  const trainRows: Row[] = [];
  const valRows: Row[] = [];
  for (const s of samples.samples) {
    const row = { id: s.id, cacheRow: s.cacheIndex, cls: s.cls, target: oneHot(s.cls), age: s.age };
    (s.fold === fold ? valRows : trainRows).push(row);
  }
  for (const p of pseudo?.samples ?? []) {
    const r = evalRowOf.get(p.id);
    if (r === undefined) throw new Error(`pseudo-label ${p.id} is not in the eval list: rerun pseudo-label:run`);
    trainRows.push({ id: `eval:${p.id}`, cacheRow: r, cls: p.cls, target: oneHot(p.cls), age: null });
  }
  if (valRows.length === 0) throw new Error(`fold ${fold} has no validation photos: check preprocess.folds`);
  return { trainRows, valRows, evalRows: evalList.images.map((e) => trainCount + e.cacheIndex), evalIds: evalList.images.map((e) => e.ImageID) };
}

/**
 * One image cache over the train cache followed by the eval cache, so round 2 can train on
 * pseudo-labelled eval photos: rows >= train.count are eval rows.
 */
export function concatCaches(train: ImageCache, evalCache: ImageCache): ImageCache {
  if (train.height !== evalCache.height || train.width !== evalCache.width || train.channels !== evalCache.channels) {
    throw new Error('train and eval image caches differ in size: rerun preprocess');
  }
  const per = train.height * train.width * train.channels;
  return {
    count: train.count + evalCache.count,
    height: train.height,
    width: train.width,
    channels: train.channels,
    ids: [...train.ids, ...evalCache.ids],
    async read(indices: readonly number[]) {
      const out = new Uint8Array(indices.length * per);
      const fromTrain: number[] = [];
      const fromEval: number[] = [];
      const slots: [boolean, number][] = indices.map((i) => (i < train.count ? [true, fromTrain.push(i) - 1] : [false, fromEval.push(i - train.count) - 1]));
      const [a, b] = await Promise.all([
        fromTrain.length ? train.read(fromTrain) : Promise.resolve(new Uint8Array(0)),
        fromEval.length ? evalCache.read(fromEval) : Promise.resolve(new Uint8Array(0)),
      ]);
      slots.forEach(([isTrain, j], i) => out.set((isTrain ? a : b).subarray(j * per, (j + 1) * per), i * per));
      return out;
    },
    async close() {
      await Promise.all([train.close(), evalCache.close()]);
    },
  };
}
