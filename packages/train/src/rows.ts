import type { ImageCache } from '@facemask/preprocess';

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
