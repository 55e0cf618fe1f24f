import { CURVE_METRICS, foldOverlaySpec, sharedDomains, type CurveMetric, type FoldCurve } from '../charts/curves.ts';
import { esc, fmt, missingNote, table } from '../html.ts';
import type { FoldTraining, RoundInputs } from '../inputs.ts';
import { chartBlock, htmlBlock, rowBlock, type Block, type Section } from '../section.ts';

/** The id of a round's chart of one metric, every fold on it. */
export const curveChartId = (round: number, metric: CurveMetric['key']) => `curves-r${round}-${metric}`;

/** One row per fold from its summary.json (or what is missing). */
export function foldTableHtml(folds: readonly FoldTraining[]): string {
  const rows = folds.map((f) => {
    if (!f.summary.ok) return [String(f.fold), `<span class="missing">summary.json missing</span>`, '', '', '', '', '', ''];
    const s = f.summary.value;
    return [
      String(f.fold),
      `${s.epochsDone}/${s.epochs}${s.complete ? '' : ' (incomplete)'}`,
      s.bestEpoch < 0 ? '-' : String(s.bestEpoch + 1),
      fmt.score(s.bestMacroF1),
      fmt.score(s.bestAccuracy),
      `${fmt.int(s.trainSamples)} / ${fmt.int(s.valSamples)}`,
      esc(fmt.seconds(s.seconds)),
      s.imagesPerSecond.toFixed(1),
    ];
  });
  return table(['fold', 'epochs', 'best epoch', 'val macro F1', 'val accuracy', 'train / val photos', 'time', 'img/s'], rows, { className: 'num' });
}

/**
 * A round's folds overlaid, one chart per metric (losses side by side, then the scores, then the
 * learning rate), each metric on the y range its kind shares across folds and charts; a note for
 * each fold without metrics.
 */
export function roundCurveBlocks(round: number, folds: readonly FoldTraining[]): Block[] {
  const notes = folds.flatMap((f) => (f.history.ok ? [] : [htmlBlock(missingNote(`Round ${f.round} fold ${f.fold}: no learning curve. ${f.history.problem}`))]));
  const curves: FoldCurve[] = folds.flatMap((f) =>
    f.history.ok ? [{ fold: f.fold, history: f.history.value, bestEpoch: f.summary.ok && f.summary.value.bestEpoch >= 0 ? f.summary.value.bestEpoch : null }] : [],
  );
  if (curves.length === 0) return notes;
  const domains = sharedDomains(curves);
  const chart = (m: CurveMetric) => chartBlock(curveChartId(round, m.key), foldOverlaySpec(m, curves, domains[m.scale]));
  const rows = (['loss', 'score', 'lr'] as const).map((scale) => rowBlock(CURVE_METRICS.filter((m) => m.scale === scale).map(chart)));
  return [...rows, ...notes];
}

export function curvesSection(rounds: readonly RoundInputs[]): Section {
  const blocks: Block[] = [
    htmlBlock(
      '<p class="hint">Per epoch, every fold of a round on one chart per metric: training and validation loss (on one scale), validation macro F1 and accuracy (on one scale), learning rate. The diamond marks each fold\'s best epoch (highest validation macro F1), whose checkpoint made its predictions. Validation loss rising while training loss falls is over-fitting; both flat and high is under-fitting; a fold far from the others has a harder or smaller split.</p>',
    ),
  ];
  for (const r of rounds) {
    blocks.push(htmlBlock(`<h3>Round ${r.round}</h3>\n${foldTableHtml(r.folds)}`));
    blocks.push(...roundCurveBlocks(r.round, r.folds));
  }
  return { id: 'curves', title: 'Learning curves', blocks };
}
