import { NUM_CLASSES } from '../labels.ts';

/**
 * An `ans` cell as a class id, or why it is not one. Surrounding spaces are tolerated (pandas
 * reads " 3" as 3); "3.0", "+3" and "" are not, since a scorer reading them as floats or strings
 * would not compare them equal to integer labels.
 */
export function parseAnswer(raw: string): { cls: number } | { error: string } {
  const s = raw.trim();
  if (s === '') return { error: 'empty' };
  if (!/^\d+$/.test(s)) return { error: 'not an integer' };
  const cls = Number(s);
  if (cls >= NUM_CLASSES) return { error: `not in 0..${NUM_CLASSES - 1}` };
  return { cls };
}
