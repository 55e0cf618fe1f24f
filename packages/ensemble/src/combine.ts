// The browser-safe entry: the kiosk page votes with this very function.
import { argmaxRow, describeIdMismatch, diffIds, examples, indexById, NUM_CLASSES, type Predictions } from '@facemask/contracts/browser';
import { EnsembleError } from './errors.ts';

export type VotingMethod = 'soft' | 'hard';

export interface CombineOptions {
  method: VotingMethod;
  /** One non-negative weight per member (need not sum to 1); null or absent: equal weights. */
  weights?: readonly number[] | null;
  /** Output row order; every member must cover exactly these ids. Default: the first member's order. */
  ids?: readonly string[];
  /** `source` of the result. Default "ensemble/<method>". */
  source?: string;
}

/**
 * Two vote shares closer than this (as a fraction of the total weight) are a tie: summing the
 * same weights in a different order must not decide a vote.
 */
const VOTE_TIE = 1e-9;
/** How far a hard-voting tie at the top is split towards its winner, so argmax names the winner. */
export const HARD_TIE_NUDGE = 1e-6;

/**
 * Combines predictions of the same photos by several models (folds, views, architectures).
 *
 * - soft: the weighted mean of the probability rows.
 * - hard: each member votes for its argmax with its weight. The output row holds the vote shares
 *   (weighted fraction of votes per class, sums to 1). The winner is the class with the most
 *   votes; a tie goes to the class with the larger weighted summed probability, then to the lower
 *   class id. When several classes tie for the most votes, the winner's share is raised by
 *   HARD_TIE_NUDGE per other tied class and theirs lowered by HARD_TIE_NUDGE, so argmax of the
 *   output is always the winner.
 *
 * Members may list the ids in any order (rows are matched by id). Labels, when members carry
 * them, must agree.
 */
export function combine(preds: readonly Predictions[], opts: CombineOptions): Predictions {
  if (preds.length === 0) throw new EnsembleError('combine: no predictions to combine: pass at least one predictions artifact');
  const first = preds[0]!;
  const split = first.split;
  const odd = preds.find((p) => p.split !== split);
  if (odd) {
    throw new EnsembleError(
      `combine: ${odd.source} holds ${odd.split} predictions but ${first.source} holds ${split} predictions: combine one split at a time`,
    );
  }
  const weights = normaliseWeights(opts.weights ?? null, preds);
  const indexes = preds.map(indexById);
  const order = opts.ids ? [...opts.ids] : first.ids;
  if (opts.ids) {
    const seen = new Set<string>();
    const repeated = order.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
    if (repeated.length > 0) throw new EnsembleError(`combine: the requested id order lists ${repeated.length} ids twice, e.g. ${examples(repeated)}`);
  }
  checkSameIds(preds, order, opts.ids !== undefined);

  const n = order.length;
  const rows = indexes.map((index) => order.map((id) => index.get(id)!));
  const probs = opts.method === 'soft' ? softVote(preds, rows, weights, n) : hardVote(preds, rows, weights, n);
  return {
    source: opts.source ?? `ensemble/${opts.method}`,
    split,
    numClasses: NUM_CLASSES,
    ids: [...order],
    probs,
    labels: mergeLabels(preds, rows, order),
  };
}

function normaliseWeights(weights: readonly number[] | null, preds: readonly Predictions[]): number[] {
  if (weights === null) return preds.map(() => 1 / preds.length);
  if (weights.length !== preds.length) {
    throw new EnsembleError(
      `combine: ${weights.length} weights for ${preds.length} predictions (${preds.map((p) => p.source).join(', ')}): give one weight per member, or none for equal weights`,
    );
  }
  const bad = weights.findIndex((w) => !Number.isFinite(w) || w < 0);
  if (bad >= 0) throw new EnsembleError(`combine: weight ${bad} is ${weights[bad]}: weights must be finite and >= 0`);
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) throw new EnsembleError('combine: the weights are all 0: give at least one member a positive weight');
  return weights.map((w) => w / total);
}

function checkSameIds(preds: readonly Predictions[], order: readonly string[], explicit: boolean): void {
  // Without an explicit order every member is compared against the union, so the message blames
  // the member that lacks ids rather than every member that has them.
  const reference = explicit ? order : union(preds);
  const problems: string[] = [];
  for (const p of preds) {
    const msg = describeIdMismatch(`${p.source} ${p.split} predictions`, diffIds(p.ids, reference), 'retrain that fold');
    if (msg) problems.push(msg);
  }
  if (problems.length > 0) {
    const what = explicit ? 'the expected ids' : 'the same ids';
    throw new EnsembleError(`combine: the predictions do not cover ${what}:\n  ${problems.join('\n  ')}`);
  }
}

function union(preds: readonly Predictions[]): string[] {
  const seen = new Set<string>();
  for (const p of preds) for (const id of p.ids) seen.add(id);
  return [...seen];
}

function softVote(preds: readonly Predictions[], rows: number[][], weights: number[], n: number): number[] {
  const out = new Float64Array(n * NUM_CLASSES);
  preds.forEach((p, m) => {
    const w = weights[m]!;
    if (w === 0) return;
    const memberRows = rows[m]!;
    for (let i = 0; i < n; i++) {
      const src = memberRows[i]! * NUM_CLASSES;
      const dst = i * NUM_CLASSES;
      for (let c = 0; c < NUM_CLASSES; c++) out[dst + c]! += w * p.probs[src + c]!;
    }
  });
  // A weighted mean of values in [0, 1] can land an ulp outside it; the schema checks [0, 1].
  return Array.from(out, (v) => Math.min(1, Math.max(0, v)));
}

function hardVote(preds: readonly Predictions[], rows: number[][], weights: number[], n: number): number[] {
  const out: number[] = new Array<number>(n * NUM_CLASSES).fill(0);
  const votes = new Float64Array(NUM_CLASSES);
  const summed = new Float64Array(NUM_CLASSES);
  for (let i = 0; i < n; i++) {
    votes.fill(0);
    summed.fill(0);
    preds.forEach((p, m) => {
      const w = weights[m]!;
      const row = rows[m]![i]!;
      votes[argmaxRow(p.probs, row)]! += w;
      for (let c = 0; c < NUM_CLASSES; c++) summed[c]! += w * p.probs[row * NUM_CLASSES + c]!;
    });
    let top = 0;
    for (let c = 1; c < NUM_CLASSES; c++) if (votes[c]! > votes[top]!) top = c;
    const tied: number[] = [];
    for (let c = 0; c < NUM_CLASSES; c++) if (votes[top]! - votes[c]! <= VOTE_TIE) tied.push(c);
    let winner = tied[0]!;
    for (const c of tied) if (summed[c]! > summed[winner]!) winner = c;
    const base = i * NUM_CLASSES;
    for (let c = 0; c < NUM_CLASSES; c++) out[base + c] = votes[c]!;
    if (tied.length > 1) {
      const share = tied.reduce((a, c) => a + votes[c]!, 0) / tied.length;
      for (const c of tied) out[base + c] = c === winner ? share + HARD_TIE_NUDGE * (tied.length - 1) : share - HARD_TIE_NUDGE;
    }
  }
  return out.map((v) => Math.min(1, Math.max(0, v)));
}

function mergeLabels(preds: readonly Predictions[], rows: number[][], order: readonly string[]): number[] | null {
  let labels: number[] | null = null;
  let from = '';
  for (let m = 0; m < preds.length; m++) {
    const p = preds[m]!;
    const own = p.labels;
    if (own === null) continue;
    const mine = rows[m]!.map((r) => own[r]!);
    if (labels === null) {
      labels = mine;
      from = p.source;
      continue;
    }
    const known = labels;
    const clash = order.findIndex((_, i) => known[i] !== mine[i]);
    if (clash >= 0) {
      throw new EnsembleError(
        `combine: ${p.source} labels ${order[clash]} as class ${mine[clash]} but ${from} says ${known[clash]}: ` +
          'the members were trained on different labels; rerun preprocess and retrain',
      );
    }
  }
  return labels;
}
