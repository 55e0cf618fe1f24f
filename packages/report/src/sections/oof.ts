import { className, NUM_CLASSES, predictedClasses, type EnsembleReport, type Predictions, type Scores } from '@facemask/contracts';
import { barSpec } from '../charts/bars.ts';
import { heatmapSpec } from '../charts/heatmap.ts';
import { factorScores, type FactorScores } from '../factors.ts';
import { esc, fmt, missingNote, table } from '../html.ts';
import type { RoundInputs } from '../inputs.ts';
import type { Loaded } from '../loaded.ts';
import { chartBlock, htmlBlock, rowBlock, type Block, type Section } from '../section.ts';

/** Row labels of the 18-class matrix: id and name; the columns carry the id alone to stay narrow. */
export const classLabels = (): string[] => Array.from({ length: NUM_CLASSES }, (_, c) => `${c} ${className(c)}`);
const classIds = (): string[] => Array.from({ length: NUM_CLASSES }, (_, c) => String(c));

export const confusionChartId = (round: number) => `confusion-r${round}`;
export const perClassChartId = (round: number) => `perclass-r${round}`;
export const factorChartId = (round: number, factor: string) => `factor-${factor}-r${round}`;

export function headlineHtml(r: EnsembleReport): string {
  const folds = r.members.map((m) => m.fold).join(', ');
  const weights = r.weights === null ? 'equal weights' : `weights ${r.weights.join(', ')}`;
  return [
    `<p class="stats"><span><b>${fmt.score(r.oof.macroF1)}</b> macro F1</span><span><b>${fmt.pct(r.oof.accuracy)}</b> accuracy</span><span><b>${fmt.int(r.oof.n)}</b> photos</span></p>`,
    `<p>${esc(`${r.method} voting over folds ${folds} (${weights}); each training photo is predicted by the fold that did not train on it.`)}</p>`,
    table(
      ['fold', 'photos', 'macro F1', 'accuracy'],
      r.folds.map((f) => [String(f.fold), fmt.int(f.n), fmt.score(f.macroF1), fmt.score(f.accuracy)]),
      { className: 'num' },
    ),
  ].join('\n');
}

export function perClassBlock(r: EnsembleReport): Block {
  return perClassScoresBlock(perClassChartId(r.round), r.oof, 'perclass');
}

/** F1 per class of a set of scores; marks are named `<name>_bars`. */
export function perClassScoresBlock(id: string, s: Scores, name: string): Block {
  const data = s.perClass.map((c) => ({ label: `${c.cls} ${c.name}`, value: c.f1, text: `${c.f1.toFixed(2)} (n=${c.support})` }));
  return chartBlock(id, barSpec(data, { name, title: 'F1 per class (support)', axisTitle: 'F1', domain: [0, 1] }));
}

export function confusionBlock(r: EnsembleReport): Block {
  return confusionScoresBlock(confusionChartId(r.round), r.oof, 'confusion');
}

/** The 18x18 matrix of a set of scores; cells are named `<name>_cells`. */
export function confusionScoresBlock(id: string, s: Scores, name: string): Block {
  return chartBlock(
    id,
    heatmapSpec(s.confusion, classLabels(), classIds(), { name, title: 'Confusion matrix (rows: true class, columns: predicted class)', cell: 25 }),
    'Colour is the share of the true class; the numbers are photo counts.',
  );
}

/** The three per-factor matrices with their scores, or why they are missing. */
export function factorBlocks(round: number, oof: Loaded<Predictions>): Block[] {
  if (!oof.ok) return [htmlBlock(missingNote(`Per-factor matrices not available: ${oof.problem}`))];
  if (oof.value.ids.length === 0 || oof.value.labels === null) return [htmlBlock(missingNote('Per-factor matrices not available: the out-of-fold set is empty.'))];
  const scores = factorScores(oof.value.labels, predictedClasses(oof.value));
  const title: Record<FactorScores['factor'], string> = { mask: 'mask state', gender: 'gender', age: 'age band' };
  return [
    htmlBlock('<h4>Per factor</h4>'),
    rowBlock(
      scores.map((s) =>
      chartBlock(
        factorChartId(round, s.factor),
        heatmapSpec(s.confusion, s.labels, s.labels, { name: `factor_${s.factor}`, title: title[s.factor], cell: 60, legend: false }),
          `accuracy ${fmt.pct(s.accuracy)}, macro F1 ${fmt.score(s.macroF1)}`,
        ),
      ),
    ),
  ];
}

export function oofRoundBlocks(r: RoundInputs): Block[] {
  const blocks: Block[] = [htmlBlock(`<h3>Round ${r.round}</h3>`)];
  if (!r.report.ok) return [...blocks, htmlBlock(missingNote(`Ensemble report not available: ${r.report.problem}`))];
  const report = r.report.value;
  blocks.push(htmlBlock(headlineHtml(report)), perClassBlock(report), confusionBlock(report), ...factorBlocks(r.round, r.oof));
  return blocks;
}

export function oofSection(rounds: readonly RoundInputs[]): Section {
  return { id: 'oof', title: 'Out-of-fold ensemble', blocks: rounds.flatMap(oofRoundBlocks) };
}
