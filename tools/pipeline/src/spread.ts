/** The median and range of repeated timings (pnpm bench:rerun). */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spreadOf(seconds: readonly number[]): Spread {
  if (seconds.length === 0) throw new Error('no timings');
  const s = [...seconds].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}
