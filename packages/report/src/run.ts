import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { dataFile, lastRound, shownPath, workLayout, WORKSPACE_ROOT, writeDirAtomic, writeFileAtomic } from '@facemask/contracts';
import { readFaceCrop, type CacheTransform } from '@facemask/image-cache';
import { renderChart } from './charts/render.ts';
import type { DetectionSummary } from './detection.ts';
import { countAnswers } from './distribution.ts';
import { fmt } from './html.ts';
import { missingPieces, readRunInputs, type RoundInputs, type RunInputs } from './inputs.ts';
import { absent, loaded, type Loaded } from './loaded.ts';
import { chartBlocks, pageHtml, type HeadlineItem, type RenderedChart } from './page.ts';
import type { ReportParams } from './params.ts';
import { curvesSection } from './sections/curves.ts';
import { evalSection, type EvalWorst } from './sections/eval.ts';
import { oofSection } from './sections/oof.ts';
import { photosSection, type EvalCounts, type Thumb } from './sections/photos.ts';
import { runSection } from './sections/run.ts';
import type { Section } from './section.ts';
import { writeThumbnail } from './thumbs.ts';
import { worstPredictions, type WrongPrediction } from './worst.ts';

export interface ReportOptions {
  /** data.work: where the run's artifacts are and the report goes. */
  work: string;
  /** The face-detection summary, when that step ran. */
  detection?: DetectionSummary | null;
}

export type ReportPaths = ReturnType<typeof workLayout.report>;

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
  const wanted = inputs.rounds.find((r) => r.round === lastRound(inputs.config) && r.oof.ok);
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

/**
 * The image cache's transform, for thumbnails that show what the model saw: with a face crop, the
 * crop around each photo's recorded detection (a run without its detections gets centre crops
 * and says so).
 */
async function cacheTransform(inputs: RunInputs, missing: string[]): Promise<CacheTransform> {
  const c = inputs.summary.ok ? inputs.summary.value.cache : inputs.config.preprocess;
  const base = { centerCrop: c.centerCrop, width: c.width, height: c.height };
  const faceCrop = inputs.config.preprocess.faceCrop;
  if (!faceCrop) return base;
  try {
    return { ...base, faceCrop: await readFaceCrop(inputs.work, inputs.config.data.root, faceCrop) };
  } catch (err) {
    missing.push(`the face crop of the thumbnails (centre crops shown instead): ${(err as Error).message}`);
    return base;
  }
}

/**
 * Thumbnails of the worst photos into the thumbs folder under `tmp`, named `<prefix>-NN.jpg`; a
 * photo that cannot be read gets the reason instead. `paths`: id -> photo file.
 */
async function makeThumbs(
  inputs: RunInputs,
  worst: readonly WrongPrediction[],
  tmp: string,
  paths: Loaded<ReadonlyMap<string, string>>,
  prefix: 'worst' | 'eval-worst',
  cache: CacheTransform,
): Promise<Map<string, Thumb>> {
  const folder = basename(workLayout.report(inputs.work).thumbs);
  const dir = join(tmp, folder);
  const thumbs = new Map<string, Thumb>();
  if (worst.length === 0) return thumbs;
  if (!paths.ok) {
    for (const w of worst) thumbs.set(w.id, { ok: false, problem: `no photo path: ${paths.problem}` });
    return thumbs;
  }
  await mkdir(dir, { recursive: true });
  for (const [i, w] of worst.entries()) {
    const photo = paths.value.get(w.id);
    if (photo === undefined) {
      const list = prefix === 'worst' ? 'preprocess/samples.json' : 'preprocess/eval.json';
      thumbs.set(w.id, { ok: false, problem: `not in ${list} (the photos changed after training: rerun the pipeline)` });
      continue;
    }
    const name = `${prefix}-${String(i + 1).padStart(2, '0')}.jpg`;
    try {
      const size = await writeThumbnail(photo, join(dir, name), cache, inputs.config.report.thumbSize);
      thumbs.set(w.id, { ok: true, src: `${folder}/${name}`, ...size });
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
export function buildSections(
  inputs: RunInputs,
  worst: { round: number; list: Loaded<WrongPrediction[]> },
  thumbs: ReadonlyMap<string, Thumb>,
  evalWorst: EvalWorst | null = null,
): Section[] {
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
    evalSection(inputs.submission, inputs.config.data.evalLabels, evalWorst),
  ];
}

/**
 * Stage 6: reads the artifacts of a run under `opts.work` and writes `<work>/report/` (index.html,
 * thumbs/) as one unit. A missing or invalid artifact never stops it: the page says what is missing.
 */
export async function runReport(params: ReportParams, opts: ReportOptions): Promise<ReportResult> {
  const inputs = await readRunInputs(params, opts.work, { detection: opts.detection ?? null });
  const round = worstRound(inputs);
  const limit = params.report.worst;
  const worst: Loaded<WrongPrediction[]> = round === undefined ? absent('no training round') : round.oof.ok ? loaded(worstPredictions(round.oof.value, limit)) : absent(round.oof.problem);
  const labelled = inputs.submission.labelled ?? null;
  const evalWorst: Loaded<WrongPrediction[]> | null = labelled === null ? null : labelled.ok ? loaded(worstPredictions(labelled.value.predictions, limit)) : absent(labelled.problem);
  const paths = workLayout.report(opts.work);
  const missing = missingPieces(inputs);
  let charts = 0;
  let thumbnails = 0;
  await writeDirAtomic(paths.dir, async (tmp) => {
    const samplePaths: Loaded<ReadonlyMap<string, string>> = inputs.samples.ok ? loaded(new Map(inputs.samples.value.samples.map((x) => [x.id, dataFile(params.data.root, x.path)]))) : absent(inputs.samples.problem);
    const cache = await cacheTransform(inputs, missing);
    const thumbs = await makeThumbs(inputs, worst.ok ? worst.value : [], tmp, samplePaths, 'worst', cache);
    const evalPaths: Loaded<ReadonlyMap<string, string>> = labelled?.ok ? loaded(labelled.value.paths) : absent(labelled && !labelled.ok ? labelled.problem : 'no eval labels');
    const evalThumbs = await makeThumbs(inputs, evalWorst?.ok ? evalWorst.value : [], tmp, evalPaths, 'eval-worst', cache);
    for (const [id, t] of [...thumbs, ...evalThumbs]) {
      if (t.ok) thumbnails++;
      else missing.push(`thumbnail of ${id}: ${t.problem}`);
    }
    const sections = buildSections(inputs, { round: round?.round ?? 1, list: worst }, thumbs, evalWorst && { list: evalWorst, thumbs: evalThumbs });
    const rendered = await renderCharts(sections);
    for (const [id, r] of rendered) {
      if (r.ok) charts++;
      else missing.push(`chart ${id} could not be drawn: ${r.problem}`);
    }
    const html = pageHtml({
      title: `facemask report: ${params.name}`,
      subtitle: `work folder ${shownPath(opts.work, WORKSPACE_ROOT)} · data ${shownPath(params.data.root, WORKSPACE_ROOT)}`,
      headline: headlineItems(inputs),
      missing,
      sections,
      charts: rendered,
    });
    await writeFileAtomic(join(tmp, basename(paths.index)), html);
  });
  const summary = [
    `report page: ${charts} charts, ${thumbnails} thumbnails`,
    ...(missing.length === 0 ? [] : [`missing (${missing.length}):`, ...missing.slice(0, 10).map((m) => `  ${m}`), ...(missing.length > 10 ? [`  … ${missing.length - 10} more on the page`] : [])]),
  ].join('\n');
  return { paths, missing, charts, thumbnails, summary };
}
