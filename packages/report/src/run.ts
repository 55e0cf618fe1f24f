import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomic, writeFileAtomic, type PipelineConfig } from '@facemask/core';
import type { CacheTransform } from '@facemask/preprocess';
import { renderChart } from './charts/render.ts';
import type { DetectionSummary } from './detection.ts';
import { countAnswers } from './distribution.ts';
import { fmt } from './html.ts';
import { missingPieces, readRunInputs, submittedRound, type RoundInputs, type RunInputs } from './inputs.ts';
import { absent, loaded, type Loaded } from './loaded.ts';
import { chartBlocks, pageHtml, type HeadlineItem, type RenderedChart } from './page.ts';
import { curvesSection } from './sections/curves.ts';
import { evalSection } from './sections/eval.ts';
import { oofSection } from './sections/oof.ts';
import { photosSection, type EvalCounts, type Thumb } from './sections/photos.ts';
import { runSection } from './sections/run.ts';
import type { Section } from './section.ts';
import { writeThumbnail } from './thumbs.ts';
import { worstPredictions, type WrongPrediction } from './worst.ts';

export const DEFAULT_WORST = 24;

export interface ReportOptions {
  /** How many of the most confidently wrong out-of-fold photos to show (default 24). */
  worst?: number;
  /** The face-detection summary, when that step ran. */
  detection?: DetectionSummary | null;
}

export interface ReportPaths {
  dir: string;
  index: string;
  thumbs: string;
}

/** `<work>/report/`: index.html and thumbs/. */
export function reportPaths(work: string): ReportPaths {
  const dir = join(work, 'report');
  return { dir, index: join(dir, 'index.html'), thumbs: join(dir, 'thumbs') };
}

export interface ReportResult {
  paths: ReportPaths;
  /** What the run lacks (also listed at the top of the page). */
  missing: string[];
  charts: number;
  thumbnails: number;
  /** One screen of text for the CLI. */
  summary: string;
}

/** The round the worst photos come from: the submitted one when its out-of-fold set is there, else the latest that is. */
function worstRound(inputs: RunInputs): RoundInputs | undefined {
  const wanted = inputs.rounds.find((r) => r.round === submittedRound(inputs.config) && r.oof.ok);
  return wanted ?? [...inputs.rounds].reverse().find((r) => r.oof.ok) ?? inputs.rounds[inputs.rounds.length - 1];
}

function evalCounts(inputs: RunInputs): Loaded<EvalCounts> {
  const sub = inputs.submission;
  if (sub.answers.ok) return loaded({ counts: countAnswers(sub.answers.value), source: 'submission.csv' });
  const round = inputs.rounds.find((r) => r.round === sub.round);
  if (round?.report.ok) return loaded({ counts: round.report.value.eval.predictedCounts, source: `ensemble round ${sub.round}` });
  return absent(sub.answers.problem);
}

/** The cards under the title: the scores a reader looks for first. */
export function headlineItems(inputs: RunInputs): HeadlineItem[] {
  const items: HeadlineItem[] = [];
  const final = [...inputs.rounds].reverse().find((r) => r.report.ok);
  if (final?.report.ok) {
    items.push({ label: `out-of-fold macro F1 (round ${final.round})`, value: fmt.score(final.report.value.oof.macroF1) });
    items.push({ label: 'out-of-fold accuracy', value: fmt.pct(final.report.value.oof.accuracy) });
  } else {
    items.push({ label: 'out-of-fold macro F1', value: 'n/a' });
  }
  const score = inputs.submission.score;
  items.push({ label: 'eval macro F1', value: score === null ? 'labels unknown' : score.ok ? fmt.score(score.value.macroF1) : 'n/a' });
  if (inputs.summary.ok) {
    const t = inputs.summary.value.totals;
    items.push({ label: 'training / eval photos', value: `${fmt.int(t.samples)} / ${fmt.int(t.evalImages)}` });
  }
  const seconds = inputs.rounds.flatMap((r) => r.folds).reduce((s, f) => s + (f.summary.ok ? f.summary.value.seconds : 0), 0);
  if (seconds > 0) items.push({ label: 'training time (all folds)', value: fmt.seconds(seconds) });
  return items;
}

function cacheTransform(inputs: RunInputs): CacheTransform {
  if (inputs.summary.ok) {
    const c = inputs.summary.value.cache;
    return { centerCrop: c.centerCrop, width: c.width, height: c.height };
  }
  const p = inputs.config.preprocess;
  return { centerCrop: p.centerCrop, width: p.width, height: p.height };
}

/** Thumbnails of the worst photos into `dir`; a photo that cannot be read gets the reason instead. */
async function makeThumbs(inputs: RunInputs, worst: readonly WrongPrediction[], dir: string): Promise<Map<string, Thumb>> {
  const thumbs = new Map<string, Thumb>();
  if (worst.length === 0) return thumbs;
  if (!inputs.samples.ok) {
    for (const w of worst) thumbs.set(w.id, { ok: false, problem: `no photo path: ${inputs.samples.problem}` });
    return thumbs;
  }
  const paths = new Map(inputs.samples.value.samples.map((s) => [s.id, s.path]));
  const cache = cacheTransform(inputs);
  await mkdir(dir, { recursive: true });
  for (const [i, w] of worst.entries()) {
    const photo = paths.get(w.id);
    if (photo === undefined) {
      thumbs.set(w.id, { ok: false, problem: 'not in preprocess/samples.json (the samples changed after training: rerun the pipeline)' });
      continue;
    }
    const name = `worst-${String(i + 1).padStart(2, '0')}.jpg`;
    try {
      const size = await writeThumbnail(photo, join(dir, name), cache);
      thumbs.set(w.id, { ok: true, src: `thumbs/${name}`, ...size });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      thumbs.set(w.id, { ok: false, problem: e.code === 'ENOENT' ? `photo ${photo} does not exist` : `photo ${photo} cannot be read: ${e.message}` });
    }
  }
  return thumbs;
}

async function renderCharts(sections: readonly Section[]): Promise<Map<string, RenderedChart>> {
  const out = new Map<string, RenderedChart>();
  for (const block of chartBlocks(sections)) {
    if (out.has(block.id)) throw new Error(`two charts share the id ${block.id}`);
    try {
      out.set(block.id, { ok: true, svg: await renderChart(block.spec) });
    } catch (err) {
      out.set(block.id, { ok: false, problem: (err as Error).message });
    }
  }
  return out;
}

/** The page's sections from the inputs and the thumbnails made for them (pure). */
export function buildSections(inputs: RunInputs, worst: { round: number; list: Loaded<WrongPrediction[]> }, thumbs: ReadonlyMap<string, Thumb>): Section[] {
  return [
    runSection(inputs),
    curvesSection(inputs.rounds),
    oofSection(inputs.rounds),
    photosSection({
      worstRound: worst.round,
      worst: worst.list,
      thumbs,
      trainCounts: inputs.summary.ok ? loaded(inputs.summary.value.classCounts) : absent(inputs.summary.problem),
      evalCounts: evalCounts(inputs),
      pseudo: inputs.pseudo,
    }),
    evalSection(inputs.submission, inputs.config.data.evalLabels),
  ];
}

/**
 * Stage 6: reads the artifacts of a run under config.data.work and writes `<work>/report/`
 * (index.html, thumbs/) as one unit. A missing or invalid artifact never stops it: the page says
 * what is missing.
 */
export async function runReport(config: PipelineConfig, opts: ReportOptions = {}): Promise<ReportResult> {
  const limit = opts.worst ?? DEFAULT_WORST;
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`worst must be a whole number of photos >= 0, got ${limit}`);
  const inputs = await readRunInputs(config, { detection: opts.detection ?? null });
  const round = worstRound(inputs);
  const worst: Loaded<WrongPrediction[]> = round === undefined ? absent('no training round') : round.oof.ok ? loaded(worstPredictions(round.oof.value, limit)) : absent(round.oof.problem);
  const paths = reportPaths(config.data.work);
  const missing = missingPieces(inputs);
  let charts = 0;
  let thumbnails = 0;
  await writeDirAtomic(paths.dir, async (tmp) => {
    const thumbs = await makeThumbs(inputs, worst.ok ? worst.value : [], join(tmp, 'thumbs'));
    for (const [id, t] of thumbs) {
      if (t.ok) thumbnails++;
      else missing.push(`thumbnail of ${id}: ${t.problem}`);
    }
    const sections = buildSections(inputs, { round: round?.round ?? 1, list: worst }, thumbs);
    const rendered = await renderCharts(sections);
    for (const [id, r] of rendered) {
      if (r.ok) charts++;
      else missing.push(`chart ${id} could not be drawn: ${r.problem}`);
    }
    const html = pageHtml({
      title: `facemask report: ${config.name}`,
      subtitle: `work folder ${config.data.work} · data ${config.data.root}`,
      headline: headlineItems(inputs),
      missing,
      sections,
      charts: rendered,
    });
    await writeFileAtomic(join(tmp, 'index.html'), html);
  });
  const summary = [
    `report: ${charts} charts, ${thumbnails} thumbnails`,
    ...(missing.length === 0 ? [] : [`missing (${missing.length}):`, ...missing.slice(0, 10).map((m) => `  ${m}`), ...(missing.length > 10 ? [`  … ${missing.length - 10} more on the page`] : [])]),
  ].join('\n');
  return { paths, missing, charts, thumbnails, summary };
}
