import { className, NUM_CLASSES } from './labels.ts';

/**
 * Classification metrics with scikit-learn's conventions (as of sklearn 1.2), on integer class ids.
 * `labels` null/undefined means sklearn's labels=None: the sorted classes present in y_true or y_pred.
 */

/** sklearn's zero_division: the value of a 0/0 precision or recall. 'warn' acts as 0 (sklearn also warns). */
export type ZeroDivision = 0 | 1 | 'warn';

export interface MetricOptions {
  labels?: readonly number[] | null;
  zeroDivision?: ZeroDivision;
}

export interface ClassScores {
  labels: number[];
  precision: number[];
  recall: number[];
  f1: number[];
  /** Number of true samples of each class. */
  support: number[];
}

type Ids = ArrayLike<number>;

function checkPair(yTrue: Ids, yPred: Ids, who: string): void {
  if (yTrue.length !== yPred.length) throw new Error(`${who}: y_true has ${yTrue.length} entries, y_pred ${yPred.length}`);
  if (yTrue.length === 0) throw new Error(`${who}: no samples`);
  for (const [name, ys] of [['y_true', yTrue], ['y_pred', yPred]] as const) {
    for (let i = 0; i < ys.length; i++) {
      if (!Number.isInteger(ys[i])) throw new Error(`${who}: ${name}[${i}] = ${ys[i]} is not an integer class id`);
    }
  }
}

/** The sorted classes occurring in y_true or y_pred (sklearn's unique_labels). */
export function presentLabels(yTrue: Ids, yPred: Ids): number[] {
  const s = new Set<number>();
  for (let i = 0; i < yTrue.length; i++) s.add(yTrue[i] as number);
  for (let i = 0; i < yPred.length; i++) s.add(yPred[i] as number);
  return [...s].sort((a, b) => a - b);
}

function resolveLabels(yTrue: Ids, yPred: Ids, labels: readonly number[] | null | undefined, who: string): number[] {
  if (labels == null) return presentLabels(yTrue, yPred);
  if (labels.length === 0) throw new Error(`${who}: labels is empty; pass null for the classes present in y_true or y_pred`);
  if (new Set(labels).size !== labels.length) throw new Error(`${who}: labels contain duplicates: ${labels.join(',')}`);
  return [...labels];
}

export function accuracy(yTrue: Ids, yPred: Ids): number {
  checkPair(yTrue, yPred, 'accuracy');
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

/** Confusion matrix, rows = true class, columns = predicted, in `labels` order; other classes are left out. */
export function confusionMatrix(yTrue: Ids, yPred: Ids, labels?: readonly number[] | null): number[][] {
  checkPair(yTrue, yPred, 'confusionMatrix');
  const labs = resolveLabels(yTrue, yPred, labels, 'confusionMatrix');
  const index = new Map(labs.map((l, i) => [l, i]));
  const m = labs.map(() => labs.map(() => 0));
  for (let i = 0; i < yTrue.length; i++) {
    const r = index.get(yTrue[i] as number);
    const c = index.get(yPred[i] as number);
    if (r !== undefined && c !== undefined) (m[r] as number[])[c]!++;
  }
  return m;
}

function divide(num: number, den: number, zeroDivision: ZeroDivision): number {
  if (den === 0) return zeroDivision === 1 ? 1 : 0;
  return num / den;
}

/** Per-class precision, recall, F1 and support (sklearn precision_recall_fscore_support, average=None). */
export function classScores(yTrue: Ids, yPred: Ids, opts: MetricOptions = {}): ClassScores {
  checkPair(yTrue, yPred, 'classScores');
  const zd = opts.zeroDivision ?? 'warn';
  const labels = resolveLabels(yTrue, yPred, opts.labels, 'classScores');
  const tp = new Map<number, number>();
  const predSum = new Map<number, number>();
  const trueSum = new Map<number, number>();
  const inc = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] as number;
    const p = yPred[i] as number;
    inc(trueSum, t);
    inc(predSum, p);
    if (t === p) inc(tp, t);
  }
  const out: ClassScores = { labels, precision: [], recall: [], f1: [], support: [] };
  for (const l of labels) {
    const t = tp.get(l) ?? 0;
    const precision = divide(t, predSum.get(l) ?? 0, zd);
    const recall = divide(t, trueSum.get(l) ?? 0, zd);
    // sklearn 1.2 derives F from precision and recall; a zero denominator gives F = 0.
    const denom = precision + recall;
    out.precision.push(precision);
    out.recall.push(recall);
    out.f1.push((2 * precision * recall) / (denom === 0 ? 1 : denom));
    out.support.push(trueSum.get(l) ?? 0);
  }
  return out;
}

/** sklearn f1_score(average='macro'): the unweighted mean of the per-class F1 over `labels`. */
export function macroF1(yTrue: Ids, yPred: Ids, opts: MetricOptions = {}): number {
  const { f1 } = classScores(yTrue, yPred, opts);
  return f1.reduce((s, v) => s + v, 0) / f1.length;
}

export interface FormatOptions {
  /** Display name of a class; defaults to the 18-class scheme's names (className) for 0..17. */
  name?: (cls: number) => string;
}

function defaultName(cls: number): string {
  return Number.isInteger(cls) && cls >= 0 && cls < NUM_CLASSES ? className(cls) : String(cls);
}

/**
 * A confusion matrix as a compact text table: one row per true class (id and name), one narrow
 * column per predicted class (id only), zeros shown as '.', row totals at the right.
 */
export function formatConfusion(matrix: readonly (readonly number[])[], labels: readonly number[], opts: FormatOptions = {}): string {
  if (matrix.length !== labels.length || matrix.some((r) => r.length !== labels.length)) {
    throw new Error(`formatConfusion: matrix is not ${labels.length}x${labels.length} for ${labels.length} labels`);
  }
  const name = opts.name ?? defaultName;
  const rowHeads = labels.map((l) => `${String(l).padStart(3)} ${name(l)}`);
  const headW = Math.max('true \\ pred'.length, ...rowHeads.map((h) => h.length));
  const totals = matrix.map((r) => r.reduce((s, v) => s + v, 0));
  const cellW = Math.max(...labels.map((l) => String(l).length), ...matrix.flat().map((v) => String(v).length)) + 1;
  const totalW = Math.max(1, ...totals.map((t) => String(t).length));
  const lines = [`${'true \\ pred'.padEnd(headW)} ${labels.map((l) => String(l).padStart(cellW)).join('')} | ${'n'.padStart(totalW)}`];
  matrix.forEach((row, i) => {
    const cells = row.map((v) => (v === 0 ? '.' : String(v)).padStart(cellW)).join('');
    lines.push(`${(rowHeads[i] as string).padEnd(headW)} ${cells} | ${String(totals[i]).padStart(totalW)}`);
  });
  return lines.join('\n');
}

/** Per-class precision/recall/F1/support table followed by accuracy and macro F1, one line per class. */
export function formatReport(yTrue: Ids, yPred: Ids, opts: MetricOptions & FormatOptions = {}): string {
  const scores = classScores(yTrue, yPred, opts);
  const name = opts.name ?? defaultName;
  const heads = scores.labels.map((l) => `${String(l).padStart(3)} ${name(l)}`);
  const headW = Math.max('class'.length, ...heads.map((h) => h.length));
  const f = (v: number) => v.toFixed(3).padStart(9);
  const lines = [`${'class'.padEnd(headW)}${'precision'.padStart(10)}${'recall'.padStart(10)}${'f1'.padStart(10)}${'support'.padStart(9)}`];
  scores.labels.forEach((_, i) => {
    lines.push(
      `${(heads[i] as string).padEnd(headW)} ${f(scores.precision[i]!)} ${f(scores.recall[i]!)} ${f(scores.f1[i]!)}${String(scores.support[i]).padStart(9)}`,
    );
  });
  const macro = scores.f1.reduce((s, v) => s + v, 0) / scores.f1.length;
  lines.push(`accuracy ${accuracy(yTrue, yPred).toFixed(4)}   macro F1 ${macro.toFixed(4)}   n ${yTrue.length}`);
  return lines.join('\n');
}
