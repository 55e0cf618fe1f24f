import { formatConfusion, NUM_CLASSES } from '@facemask/contracts';
import type { Predictions } from '@facemask/contracts';
import type { EnsembleReport, Round } from '@facemask/contracts';
import type { VotingMethod } from './combine.ts';
import { argmaxRow, indexById, predictedClasses } from '@facemask/contracts';
import { scoreClasses } from '@facemask/contracts';

export interface FoldPredictions {
  fold: number;
  oof: Predictions;
  eval: Predictions;
}

export interface ReportInput {
  round: Round;
  method: VotingMethod;
  weights: number[] | null;
  folds: readonly FoldPredictions[];
  /** The joined out-of-fold predictions (concatOof). */
  oof: Predictions;
  /** The combined eval predictions (combine). */
  eval: Predictions;
}

export function buildReport(input: ReportInput): EnsembleReport {
  const { oof, eval: ev, folds } = input;
  if (oof.labels === null) throw new Error(`${oof.source}: out-of-fold predictions without labels cannot be scored`);
  const evalClasses = predictedClasses(ev);
  const predictedCounts = new Array<number>(NUM_CLASSES).fill(0);
  let confidence = 0;
  evalClasses.forEach((cls, row) => {
    predictedCounts[cls]! += 1;
    confidence += ev.probs[row * NUM_CLASSES + cls]!;
  });
  // Unanimity says how much the folds disagree on eval photos: low values mean the ensemble
  // decides many photos, not just smooths them.
  const memberIndexes = folds.map((f) => indexById(f.eval));
  let unanimous = 0;
  ev.ids.forEach((id, row) => {
    const cls = evalClasses[row];
    if (folds.every((f, m) => argmaxRow(f.eval.probs, memberIndexes[m]!.get(id)!) === cls)) unanimous++;
  });
  const n = ev.ids.length;
  return {
    round: input.round,
    method: input.method,
    weights: input.weights,
    members: folds.map((f) => ({ fold: f.fold, source: f.eval.source, oofCount: f.oof.ids.length, evalCount: f.eval.ids.length })),
    oof: scoreClasses(oof.labels, predictedClasses(oof)),
    folds: folds.map((f) => {
      const s = scoreClasses(f.oof.labels ?? [], predictedClasses(f.oof));
      return { fold: f.fold, n: s.n, accuracy: s.accuracy, macroF1: s.macroF1 };
    }),
    eval: {
      n,
      predictedCounts,
      meanConfidence: n === 0 ? 0 : Math.min(1, confidence / n),
      unanimous: n === 0 ? 0 : unanimous / n,
    },
  };
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** The report as one screen of text: headline scores, per-fold and per-class F1, confusion matrix. */
export function formatEnsembleReport(r: EnsembleReport): string {
  const folds = r.members.map((m) => `fold-${m.fold}`).join(', ');
  const weights = r.weights === null ? 'equal weights' : `weights ${r.weights.join(', ')}`;
  const lines = [
    `ensemble round ${r.round}: ${r.method} voting over ${r.members.length} folds (${folds}), ${weights}`,
    `out-of-fold n=${r.oof.n}: macro F1 ${r.oof.macroF1.toFixed(4)}  accuracy ${r.oof.accuracy.toFixed(4)}`,
  ];
  const foldCells = r.folds.map((f) => `fold-${f.fold} F1 ${f.macroF1.toFixed(3)} acc ${f.accuracy.toFixed(3)} (n=${f.n})`);
  for (let start = 0; start < foldCells.length; start += 3) {
    lines.push(`  ${start === 0 ? 'per fold:' : '         '} ${foldCells.slice(start, start + 3).join(' | ')}`);
  }
  lines.push('  per-class F1 (support):');
  for (let start = 0; start < NUM_CLASSES; start += 3) {
    const cells = r.oof.perClass.slice(start, start + 3).map((c) => `${String(c.cls).padStart(2)} ${c.name.padEnd(22)} ${c.f1.toFixed(3)} (${c.support})`.padEnd(42));
    lines.push(`    ${cells.join('')}`.trimEnd());
  }
  lines.push(
    formatConfusion(
      r.oof.confusion,
      r.oof.perClass.map((c) => c.cls),
    )
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  lines.push(
    `eval n=${r.eval.n}: mean top probability ${r.eval.meanConfidence.toFixed(3)}; every fold agrees with the ensemble on ${pct(r.eval.unanimous)}`,
    `  predicted per class 0..${NUM_CLASSES - 1}: ${r.eval.predictedCounts.join(' ')}`,
  );
  return lines.join('\n');
}
