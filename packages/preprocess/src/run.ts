import { basename, resolve, sep } from 'node:path';
import {
  CACHE_SPLITS,
  dataFile,
  dataLayout,
  dataRelative,
  evalListArtifact,
  fingerprintArtifact,
  formatBytes,
  hashJson,
  imageCacheIndexArtifact,
  inDir,
  PREPROCESS_FILES,
  preprocessSummaryArtifact,
  readArtifact,
  samplesArtifact,
  workLayout,
  writeArtifact,
  writeDirAtomic,
  writeFileAtomic,
  sha256OfFile,
  shownPath,
  WORKSPACE_ROOT,
  type CacheSplit,
  type EvalList,
  type Fingerprint,
  type ImageCacheIndex,
  type PreprocessSummary,
  type StageParams,
} from '@facemask/contracts';
import { applyCorrections, correctionsPath, readCorrections, type CorrectedPerson } from './corrections.ts';
import { listEvalImages } from './eval-list.ts';
import { combineFileHashes, hashDataFiles } from './fingerprint.ts';
import { fatal, Issues } from './issues.ts';
import { droppedBy, matchPeople, readTrainCsv } from './labels.ts';
import { buildSamples, foldStats } from './samples.ts';
import { scanTrainImages, type PhotoFile } from './scan.ts';
import {
  countFallbacks,
  ensureImageStore,
  inputsHash,
  openCropHandoff,
  pruneImageStores,
  removeCropHandoff,
  readFaceCrop,
  storeKey,
  transformHash,
  type CacheInput,
  type CacheTransform,
  type FaceCropTransform,
} from '@facemask/image-cache';
import { formatSummary } from './summary-text.ts';
import { warnTinyPhotos } from './tiny-photos.ts';

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
  /** Whether each split's pixel store was found rather than built (in summary.txt, not summary.json). */
  reused: Record<CacheSplit, boolean>;
  /** Photos of each split whose crop detect handed over, so they were not decoded here (summary.txt too). */
  handedOver: Record<CacheSplit, number>;
}

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
  const corrPath = correctionsPath(pp.corrections);
  // The corrections file by its name: it may lie anywhere (the builtin one in this repository).
  const corrName = pp.corrections === 'builtin' ? 'builtin' : corrPath && basename(corrPath);
  // What the artifacts record names files relative to the data root (see Issues).
  const portable = (text: string) => (corrPath && corrName ? text.split(corrPath).join(corrName) : text).split(root + sep).join('');
  const issues = new Issues(pp.onBadInput, log, portable);

  const scan = await scanTrainImages(root, issues);
  const people = matchPeople(await readTrainCsv(root), scan.folders, root, issues);
  let corrected: { people: CorrectedPerson[]; applied: PreprocessSummary['corrections']['applied']; ignored: PreprocessSummary['corrections']['ignored'] };
  if (corrPath) corrected = applyCorrections(people, await readCorrections(corrPath), corrPath, issues, log);
  else corrected = { people: people.map((p) => ({ ...p, corrections: [], swapIncorrectNormal: false })), applied: [], ignored: [] };
  const evalList = await listEvalImages(root, issues);
  // Checked before any photo is hashed or cached, which takes hours on the full set.
  const foldable = corrected.people.filter((p) => p.photos.length > 0 && !droppedBy(p.age, pp.dropAgeRanges)).length;
  if (foldable < pp.folds) {
    fatal(dataLayout.trainCsv(root), `${foldable} people with photos (after preprocess.dropAgeRanges) for preprocess.folds ${pp.folds}`, 'lower preprocess.folds or add people');
  }
  await warnTinyPhotos([...scan.folders.flatMap((f) => f.photos.map((ph) => ph.path)), ...evalList.entries.map((e) => e.path)], (m) => issues.warn(m));

  const hashes = await hashDataFiles(root, { cacheFile: workLayout.fingerprintSidecar(work), progress: !opts.quiet });
  const shaOf = new Map(hashes.map((h) => [h.rel, h.sha256]));
  // The fingerprint names files as the index does (dataRelative), so one name finds the hash.
  const input = (id: string, path: string): CacheInput => {
    const rel = dataRelative(root, path);
    const sha256 = shaOf.get(rel);
    if (!sha256) throw new Error(`internal: ${rel} was not fingerprinted`);
    return { id, path: rel, sha256 };
  };
  const inputs: Record<CacheSplit, CacheInput[]> = {
    train: scan.folders.flatMap((f) => f.photos.map((ph) => input(ph.id, ph.path))),
    eval: evalList.entries.map((e) => input(e.ImageID, e.path)),
  };
  const faceCrop = pp.faceCrop ? await readFaceCrop(work, root, pp.faceCrop) : null;
  const transform: CacheTransform = { centerCrop: pp.centerCrop, height: pp.height, width: pp.width, faceCrop };
  const options = {
    seed: params.seed,
    preprocess: { ...pp, corrections: corrPath && corrName ? { file: corrName, sha256: await sha256OfFile(corrPath) } : null },
  };
  const fingerprint: Fingerprint = {
    dataset: combineFileHashes(hashes),
    files: hashes.length,
    bytes: hashes.reduce((a, h) => a + h.size, 0),
    optionsHash: hashJson({ ...options, preprocess: { ...options.preprocess, corrections: options.preprocess.corrections?.sha256 ?? null } }),
    options,
    cache: { trainInputs: inputsHash(inputs.train), evalInputs: inputsHash(inputs.eval), transform: transformHash(transform) },
  };

  // Stores that neither the live output nor this run names only take space (an output Nx restores
  // later rebuilds its own); free it before building.
  await prune(work, new Set([...(await liveStores(outDir)), storeKey(inputs.train, transform), storeKey(inputs.eval, transform)]), log);
  let summary: PreprocessSummary | undefined;
  let report = '';
  const caches = {} as Record<CacheSplit, { index: ImageCacheIndex; reused: boolean; handedOver: number }>;
  // The crops detect cut from its own decode of the photos: each checked, then taken instead of decoding again.
  const handoff = await openCropHandoff(work, transform, log);
  try {
    await writeDirAtomic(outDir, async (tmp) => {
      // Eval first: an unusable eval photo stops the run (see Issues) before the train photos are decoded.
      for (const split of ['eval', 'train'] as const) {
        const bad = (path: string, reason: string, fix: string) => (split === 'eval' ? issues.badEval(path, reason, fix) : issues.bad(path, reason, fix));
        caches[split] = await ensureImageStore(work, split, inputs[split], transform, {
          root,
          onFailure: (inp, reason, fix) => bad(dataFile(root, inp.path), reason, fix),
          log,
          concurrency: opts.concurrency,
          quiet: opts.quiet,
          handoff,
        });
        await writeArtifact(imageCacheIndexArtifact, workLayout.imageCache(tmp, split).index, caches[split].index);
        if (split === 'eval') issues.stopOnEvalProblems(dataLayout.infoCsv(root));
      }
      const trainIndex = new Map(caches.train.index.ids.map((id, i) => [id, i]));
      const evalIndex = new Map(caches.eval.index.ids.map((id, i) => [id, i]));
      const built = buildSamples(corrected.people, pp, trainIndex, pp.folds, params.seed);
      const stats = foldStats(built, pp.folds);
      const evalOut: EvalList = {
        images: evalList.entries.flatMap((e) => {
          const cacheIndex = evalIndex.get(e.ImageID);
          return cacheIndex === undefined ? [] : [{ ImageID: e.ImageID, path: dataRelative(root, e.path), cacheIndex }];
        }),
      };
      summary = {
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
          source: corrName,
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
          train: { count: caches.train.index.count },
          eval: { count: caches.eval.index.count },
          faceCrop: faceCrop && cachedFallbacks(faceCrop, scan.folders.flatMap((f) => f.photos), evalList.entries, caches),
        },
      };
      const out = inDir(tmp, PREPROCESS_FILES);
      const samples = built.samples.map((x) => ({ ...x, path: dataRelative(root, x.path) }));
      await writeArtifact(samplesArtifact, out.samples, { folds: pp.folds, seed: params.seed, samples });
      await writeArtifact(evalListArtifact, out.eval, evalOut);
      await writeArtifact(preprocessSummaryArtifact, out.summary, summary);
      await writeArtifact(fingerprintArtifact, out.fingerprint, fingerprint);
      // Shown as every machine of a team would restore it from a shared cache: no absolute path.
      const shown = (p: string) => shownPath(p, WORKSPACE_ROOT);
      report = formatSummary(summary, fingerprint, shown(root), shown(outDir), shown(workLayout.imageStores(work)), {
        reused: { train: caches.train.reused, eval: caches.eval.reused },
        handedOver: { train: caches.train.handedOver, eval: caches.eval.handedOver },
      });
      await writeFileAtomic(out.summaryText, report + '\n');
    });
  } finally {
    await handoff?.close();
  }
  // The stores hold what it had (or it did not serve them): it only takes space now.
  await removeCropHandoff(work);
  await prune(work, new Set([caches.train.index.store, caches.eval.index.store]), log);
  return {
    dir: outDir,
    summary: summary!,
    fingerprint,
    report,
    reused: { train: caches.train.reused, eval: caches.eval.reused },
    handedOver: { train: caches.train.handedOver, eval: caches.eval.handedOver },
  };
}

/** The stores the preprocess output in `dir` names (none if it is missing or unreadable). */
async function liveStores(dir: string): Promise<Set<string>> {
  const keys = await Promise.all(
    CACHE_SPLITS.map((split) => readArtifact(imageCacheIndexArtifact, workLayout.imageCache(dir, split).index).then((i) => i.store, () => null)),
  );
  return new Set(keys.filter((k) => k !== null));
}

async function prune(work: string, keep: ReadonlySet<string>, log: (line: string) => void): Promise<void> {
  const { removed, bytes } = await pruneImageStores(work, keep);
  if (removed.length > 0) log(`removed ${removed.length} image store(s) no preprocess output here names (${formatBytes(bytes)}) from ${workLayout.imageStores(work)}`);
}

/** The face crop's fallbacks among the photos the caches hold. */
function cachedFallbacks(
  t: FaceCropTransform,
  train: readonly PhotoFile[],
  evalEntries: readonly { ImageID: string; path: string }[],
  caches: Record<CacheSplit, { index: ImageCacheIndex }>,
): NonNullable<PreprocessSummary['cache']['faceCrop']> {
  const inCache = (split: CacheSplit) => new Set(caches[split].index.ids);
  const trainIds = inCache('train');
  const evalIds = inCache('eval');
  return countFallbacks(t, train.filter((p) => trainIds.has(p.id)), evalEntries.filter((e) => evalIds.has(e.ImageID)));
}
