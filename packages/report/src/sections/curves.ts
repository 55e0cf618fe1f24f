import { learningCurveSpec } from '../charts/curves.ts';
import { esc, fmt, missingNote, table } from '../html.ts';
import type { FoldTraining, RoundInputs } from '../inputs.ts';
import { chartBlock, htmlBlock, type Block, type Section } from '../section.ts';

/** The id of a fold's learning-curve chart. */
export const curveChartId = (round: number, fold: number) => `curve-r${round}-f${fold}`;

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

/** A fold's chart, or a note saying why it has none. */
export function foldCurveBlock(f: FoldTraining): Block {
  if (!f.history.ok) return htmlBlock(missingNote(`Round ${f.round} fold ${f.fold}: no learning curve. ${f.history.problem}`));
  const best = f.summary.ok && f.summary.value.bestEpoch >= 0 ? f.summary.value.bestEpoch : null;
  const title =
    best === null
      ? `round ${f.round}, fold ${f.fold}: best epoch unknown`
      : `round ${f.round}, fold ${f.fold}: best epoch ${best + 1} (val macro F1 ${fmt.score(f.summary.ok ? f.summary.value.bestMacroF1 : 0)})`;
  return chartBlock(curveChartId(f.round, f.fold), learningCurveSpec(f.history.value, best, title));
}

export function curvesSection(rounds: readonly RoundInputs[]): Section {
  const blocks: Block[] = [
    htmlBlock(
      '<p class="hint">Per epoch: training and validation loss, validation macro F1 and accuracy, learning rate. The dashed line marks the best epoch (highest validation macro F1), whose checkpoint made the predictions. Validation loss rising while training loss falls is over-fitting; both flat and high is under-fitting.</p>',
    ),
  ];
  for (const r of rounds) {
    blocks.push(htmlBlock(`<h3>Round ${r.round}</h3>\n${foldTableHtml(r.folds)}`));
    for (const f of r.folds) blocks.push(foldCurveBlock(f));
  }
  return { id: 'curves', title: 'Learning curves', blocks };
}
