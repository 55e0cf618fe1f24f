/** Runs fn over items with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * Like mapLimit but hands each result to `sink` in input order as soon as it and all before it
 * are done, so at most `limit` results are held at once (the image cache appends in order).
 */
export async function forEachOrdered<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  sink: (result: R, item: T, index: number) => Promise<void> | void,
): Promise<void> {
  const window: Promise<R>[] = [];
  let started = 0;
  const start = () => {
    const i = started++;
    const p = fn(items[i] as T, i);
    // The head is awaited later; keep an early rejection from being reported as unhandled.
    p.catch(() => {});
    window.push(p);
  };
  while (started < items.length && window.length < limit) start();
  for (let i = 0; i < items.length; i++) {
    const result = await window.shift()!;
    if (started < items.length) start();
    await sink(result, items[i] as T, i);
  }
}
