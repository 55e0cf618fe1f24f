/**
 * The Nx targets of the pipeline, named once. The Nx plugin creates them, errors about a missing
 * artifact name them, and the pipeline runner and tests refer to them through these functions.
 */

export type Round = 1 | 2;
export const ROUNDS: readonly Round[] = [1, 2];

export function parseRound(value: string | number): Round {
  const r = Number(value);
  if (r !== 1 && r !== 2) throw new Error(`round must be 1 or 2, got "${value}"`);
  return r;
}

/** `project:target` ids. */
export const targets = {
  /** Face detection on every photo of the data root (only in graphs whose preprocess crops faces). */
  detect: 'detect:run',
  preprocess: 'preprocess:run',
  /** One fold of one round, as laid out in the pipeline graph. */
  trainFold: (round: Round, fold: number) => `train:round${round}-fold-${fold}`,
  /** Every fold of a round (a no-op target depending on each fold). */
  trainRound: (round: Round) => `train:round${round}`,
  /** The pooled backbone features every fold of train.mode "features" reads (computed once). */
  trainFeatures: 'train:features',
  /** `nx run train:fold --fold=2 [--round=1]`: one fold by option, for interactive use. */
  trainAnyFold: 'train:fold',
  ensemble: (round: Round) => `ensemble:round${round}`,
  pseudoLabel: 'pseudo-label:run',
  submit: 'submit:run',
  report: 'report:run',
} as const;

/** Splits "project:target". */
export function splitTarget(id: string): { project: string; target: string } {
  const i = id.indexOf(':');
  if (i <= 0) throw new Error(`"${id}" is not a project:target id`);
  return { project: id.slice(0, i), target: id.slice(i + 1) };
}
