import { className, type PseudoLabels } from '@facemask/contracts';
import { barSpec, pairedBarSpec } from '../charts/bars.ts';
import { classShares } from '../distribution.ts';
import { esc, fmt, missingNote, para } from '../html.ts';
import type { Loaded } from '../loaded.ts';
import { chartBlock, htmlBlock, type Block, type Section } from '../section.ts';
import type { WrongPrediction } from '../worst.ts';

/** A thumbnail written beside the page (src relative to index.html), or why there is none. */
export type Thumb = { ok: true; src: string; width: number; height: number } | { ok: false; problem: string };

export const DISTRIBUTION_CHART_ID = 'eval-distribution';
export const PSEUDO_CHART_ID = 'pseudo-counts';

/** A class name that may wrap after its slashes in a narrow caption. */
const classHtml = (cls: number) => esc(className(cls)).replaceAll('/', '/<wbr>');

/** The worst out-of-fold (or eval) photos as a grid: thumbnail, true and predicted class, confidence. */
export function worstHtml(round: number, worst: Loaded<WrongPrediction[]>, thumbs: ReadonlyMap<string, Thumb>, set: 'out-of-fold' | 'eval' = 'out-of-fold'): string {
  const head = `<h3>Most confidently wrong ${set} photos</h3>`;
  if (!worst.ok) return `${head}\n${missingNote(`Not available: ${worst.problem}`)}`;
  if (worst.value.length === 0) return `${head}\n${para(`Round ${round}: no ${set} photo is misclassified.`)}`;
  const items = worst.value.map((w) => {
    const t = thumbs.get(w.id) ?? { ok: false, problem: 'no thumbnail made' };
    const img = t.ok
      ? `<img src="${esc(t.src)}" width="${t.width}" height="${t.height}" alt="${esc(w.id)}">`
      : `<div class="noimg" title="${esc(t.problem)}">image missing</div>`;
    return (
      `<li>${img}<dl><dt>true</dt><dd class="true">${classHtml(w.trueCls)}</dd>` +
      `<dt>pred</dt><dd class="pred">${classHtml(w.predCls)}</dd>` +
      `<dt>conf</dt><dd><b>${fmt.pct(w.confidence, 0)}</b> (true class ${fmt.pct(w.trueProb, 0)})</dd></dl>` +
      `<code>${esc(w.id)}</code></li>`
    );
  });
  const missing = worst.value.filter((w) => !(thumbs.get(w.id)?.ok ?? false));
  return [
    head,
    para(`Round ${round} ensemble: the ${worst.value.length} misclassified ${set} photos with the highest probability on a wrong class, most confident first.`, 'hint'),
    `<ul class="thumbs">${items.join('')}</ul>`,
    ...missing.map((w) => {
      const t = thumbs.get(w.id);
      return missingNote(`${w.id}: ${t && !t.ok ? t.problem : 'no thumbnail made'}`);
    }),
  ].join('\n');
}

export interface EvalCounts {
  counts: number[];
  /** Where they come from, e.g. "submission.csv". */
  source: string;
}

/** The eval set's predicted classes beside the training labels, as shares of each set. */
export function distributionBlocks(trainCounts: Loaded<number[]>, evalCounts: Loaded<EvalCounts>): Block[] {
  const head = htmlBlock('<h3>Eval predictions beside the training labels</h3>');
  if (!trainCounts.ok || !evalCounts.ok) {
    const why = [trainCounts, evalCounts].filter((l) => !l.ok).map((l) => (l.ok ? '' : l.problem));
    return [head, htmlBlock(missingNote(`Not available: ${why.join(' ')}`))];
  }
  const groups = ['training labels', `eval predicted (${evalCounts.value.source})`] as const;
  const shares = classShares(trainCounts.value, evalCounts.value.counts);
  const data = shares.flatMap((s) => [
    { label: `${s.cls} ${s.name}`, group: groups[0], share: s.trainShare, count: s.trainCount },
    { label: `${s.cls} ${s.name}`, group: groups[1], share: s.evalShare, count: s.evalCount },
  ]);
  return [
    head,
    htmlBlock(para('A class the model predicts far more or less often on eval than it occurs in training is a class it confuses or a shift between the sets. Numbers are photo counts.', 'hint')),
    chartBlock(DISTRIBUTION_CHART_ID, pairedBarSpec(data, groups, { name: 'distribution', title: 'Share of photos per class' })),
  ];
}

/** Pseudo-label counts per class; a line saying round 2 did not run when pseudo-labelling is off. */
export function pseudoBlocks(pseudo: Loaded<PseudoLabels> | null): Block[] {
  const head = htmlBlock('<h3>Pseudo-labels</h3>');
  if (pseudo === null) return [head, htmlBlock(para('Pseudo-labelling is off (config pseudo.enabled): round 2 did not run.'))];
  if (!pseudo.ok) return [head, htmlBlock(missingNote(`Not available: ${pseudo.problem}`))];
  const p = pseudo.value;
  const kept = p.samples.length;
  const cap = p.maxPerClass === null ? '' : `, at most ${p.maxPerClass} per class`;
  const data = p.counts.map((n, cls) => ({ label: `${cls} ${className(cls)}`, value: n, text: String(n) }));
  return [
    head,
    htmlBlock(para(`${fmt.int(kept)} of ${fmt.int(p.considered)} eval photos kept as round-2 training samples (top probability at least ${p.threshold}${cap}; from ${p.source ?? '-'}).`)),
    chartBlock(PSEUDO_CHART_ID, barSpec(data, { name: 'pseudo', title: 'Pseudo-labels per class', axisTitle: 'photos', format: 'd', color: '#54a24b' })),
  ];
}

export interface PhotosSectionInput {
  worstRound: number;
  worst: Loaded<WrongPrediction[]>;
  thumbs: ReadonlyMap<string, Thumb>;
  trainCounts: Loaded<number[]>;
  evalCounts: Loaded<EvalCounts>;
  pseudo: Loaded<PseudoLabels> | null;
}

export function photosSection(input: PhotosSectionInput): Section {
  return {
    id: 'photos',
    title: 'Photos and predictions',
    blocks: [
      htmlBlock(worstHtml(input.worstRound, input.worst, input.thumbs)),
      ...distributionBlocks(input.trainCounts, input.evalCounts),
      ...pseudoBlocks(input.pseudo),
    ],
  };
}
