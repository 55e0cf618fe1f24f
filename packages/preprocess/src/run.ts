import { resolve } from 'node:path';
import {
  evalListArtifact,
  fingerprintArtifact,
  hashJson,
  inDir,
  PREPROCESS_FILES,
  preprocessSummaryArtifact,
  samplesArtifact,
  workLayout,
  writeArtifact,
  writeDirAtomic,
  writeFileAtomic,
  type CacheSplit,
  type EvalList,
  type Fingerprint,
  type ImageCacheIndex,
  type PreprocessSummary,
  type StageParams,
} from '@facemask/contracts';
import { buildImageCache, reuseImageCache, transformHash, inputsHash, type CacheInput } from './cache.ts';
import { applyCorrections, correctionsPath, readCorrections, type CorrectedPerson } from './corrections.ts';
import { type CacheTransform } from './transform.ts';
import { listEvalImages } from './eval-list.ts';
import { combineFileHashes, hashDataFiles, sha256File } from './fingerprint.ts';
import { fatal, Issues } from './issues.ts';
import { matchPeople, readTrainCsv } from './labels.ts';
import { buildSamples, foldStats } from './samples.ts';
import { scanTrainImages } from './scan.ts';
import { formatSummary } from './summary-text.ts';

export type PreprocessParams = StageParams<'preprocess'>;

export interface RunOptions {
  /** The work folder (config.data.work): artifacts go to its preprocess/ folder. */
  work: string;
  /** No progress bars, and no log lines unless `log` is given. */
  quiet?: boolean;
  /** Where warnings and correction logs go (default: stderr, or nowhere when quiet). */
  log?: (line: string) => void;
  /** Photos decoded at once. */
  concurrency?: number;
}

export interface PreprocessResult {
  /** `<work>/preprocess`. */
  dir: string;
  summary: PreprocessSummary;
  fingerprint: Fingerprint;
  /** The one-screen report (also written as summary.txt). */
  report: string;
}

const PHOTO_FIX = 'replace it with a readable JPEG/PNG or delete it (and its person if no longer complete)';

/**
 * Reads the data root, labels and folds every train photo, caches all pixels and writes the
 * artifacts to `<work>/preprocess/` in one atomic swap.
 */
export async function runPreprocess(params: PreprocessParams, opts: RunOptions): Promise<PreprocessResult> {
  const root = resolve(params.root);
  const work = resolve(opts.work);
  const outDir = workLayout.preprocess(work).dir;
  const pp = params.preprocess;
  const log = opts.log ?? (opts.quiet ? () => {} : (line: string) => console.error(line));
  for (const [lo, hi] of pp.dropAgeRanges) {
    if (lo > hi) fatal('config', `preprocess.dropAgeRanges has [${lo}, ${hi}]`, 'write each range as [low, high] with low <= high');
  }
  const issues = new Issues(pp.onBadInput, log);

  const scan = await scanTrainImages(root, issues);
  const people = matchPeople(await readTrainCsv(root), scan.folders, root, issues);
  const corrPath = correctionsPath(pp.corrections);
  let corrected: { people: CorrectedPerson[]; applied: PreprocessSummary['corrections']['applied']; ignored: PreprocessSummary['corrections']['ignored'] };
  if (corrPath) corrected = applyCorrections(people, await readCorrections(corrPath), corrPath, issues, log);
  else corrected = { people: people.map((p) => ({ ...p, corrections: [], swapIncorrectNormal: false })), applied: [], ignored: [] };
  const evalList = await listEvalImages(root, issues);

  const hashes = await hashDataFiles(root, { cacheFile: workLayout.fingerprintSidecar(work), progress: !opts.quiet });
  const shaOf = new Map(hashes.map((h) => [h.rel, h.sha256]));
  const input = (id: string, path: string, rel: string): CacheInput => {
    const sha256 = shaOf.get(rel);
    if (!sha256) throw new Error(`internal: ${rel} was not fingerprinted`);
    return { id, path, sha256 };
  };
  const inputs: Record<CacheSplit, CacheInput[]> = {
    train: scan.folders.flatMap((f) => f.photos.map((ph) => input(ph.id, ph.path, `train/images/${ph.id}`))),
    eval: evalList.entries.map((e) => input(e.ImageID, e.path, `eval/images/${e.ImageID}`)),
  };
  const transform: CacheTransform = { centerCrop: pp.centerCrop, height: pp.height, width: pp.width };
  const options = {
    seed: params.seed,
    preprocess: { ...pp, corrections: corrPath ? { file: corrPath, sha256: await sha256File(corrPath) } : null },
  };
  const fingerprint: Fingerprint = {
    dataset: combineFileHashes(hashes),
    files: hashes.length,
    bytes: hashes.reduce((a, h) => a + h.size, 0),
    optionsHash: hashJson({ ...options, preprocess: { ...options.preprocess, corrections: options.preprocess.corrections?.sha256 ?? null } }),
    options,
    cache: { trainInputs: inputsHash(inputs.train), evalInputs: inputsHash(inputs.eval), transform: transformHash(transform) },
  };

  let summary: PreprocessSummary | undefined;
  let report = '';
  await writeDirAtomic(outDir, async (tmp) => {
    const caches = {} as Record<CacheSplit, { index: ImageCacheIndex; reused: boolean }>;
    for (const split of ['train', 'eval'] as const) {
      const byId = new Map(inputs[split].map((i) => [i.id, i]));
      const reused = await reuseImageCache(outDir, tmp, split, inputs[split], transform);
      if (reused) {
        for (const f of reused.failures) issues.bad(byId.get(f.id)?.path ?? f.id, f.reason, PHOTO_FIX);
        caches[split] = { index: reused, reused: true };
      } else {
        const index = await buildImageCache(tmp, split, inputs[split], transform, {
          onFailure: (inp, reason) => issues.bad(inp.path, reason, PHOTO_FIX),
          concurrency: opts.concurrency,
          quiet: opts.quiet,
        });
        caches[split] = { index, reused: false };
      }
    }
    const trainIndex = new Map(caches.train.index.ids.map((id, i) => [id, i]));
    const evalIndex = new Map(caches.eval.index.ids.map((id, i) => [id, i]));
    const built = buildSamples(corrected.people, pp, trainIndex, pp.folds, params.seed);
    const stats = foldStats(built, pp.folds);
    const evalOut: EvalList = {
      dataRoot: root,
      images: evalList.entries.flatMap((e) => {
        const cacheIndex = evalIndex.get(e.ImageID);
        return cacheIndex === undefined ? [] : [{ ImageID: e.ImageID, path: e.path, cacheIndex }];
      }),
    };
    summary = {
      dataRoot: root,
      seed: params.seed,
      folds: pp.folds,
      totals: {
        peopleFound: scan.folders.length,
        photosFound: inputs.train.length,
        people: built.folds.size,
        samples: built.samples.length,
        evalImages: evalOut.images.length,
      },
      classCounts: stats.classCounts,
      foldPeople: stats.foldPeople,
      foldSamples: stats.foldSamples,
      foldClassCounts: stats.foldClassCounts,
      balance: { person6WithinFold: stats.person6WithinFold, image18WithinFold: stats.image18WithinFold },
      skipped: issues.skipped,
      warnings: issues.warnings,
      corrections: {
        source: corrPath,
        applied: corrected.applied,
        ignored: corrected.ignored,
        samplesChanged: built.samples.filter((s) => s.correction !== null).length,
      },
      dropped: { ageRanges: pp.dropAgeRanges, people: built.dropped },
      hiddenFiles: scan.hiddenFiles + evalList.hiddenFiles,
      cache: {
        height: pp.height,
        width: pp.width,
        channels: caches.train.index.channels,
        centerCrop: pp.centerCrop,
        train: { count: caches.train.index.count, reused: caches.train.reused },
        eval: { count: caches.eval.index.count, reused: caches.eval.reused },
      },
    };
    const out = inDir(tmp, PREPROCESS_FILES);
    await writeArtifact(samplesArtifact, out.samples, { dataRoot: root, folds: pp.folds, seed: params.seed, samples: built.samples });
    await writeArtifact(evalListArtifact, out.eval, evalOut);
    await writeArtifact(preprocessSummaryArtifact, out.summary, summary);
    await writeArtifact(fingerprintArtifact, out.fingerprint, fingerprint);
    report = formatSummary(summary, fingerprint, outDir);
    await writeFileAtomic(out.summaryText, report + '\n');
  });
  return { dir: outDir, summary: summary!, fingerprint, report };
}
