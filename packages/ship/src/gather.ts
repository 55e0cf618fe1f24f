import { stat } from 'node:fs/promises';
import {
  detectionsArtifact,
  ensembleArtifacts,
  foldArtifacts,
  hashJson,
  lastRound,
  readArtifact,
  readFingerprint,
  runRecordArtifact,
  stageParams,
  stageParamsHash,
  trainedFolds,
  workLayout,
  type PipelineConfig,
  type RunRecord,
} from '@facemask/contracts';
import { readModelMetadata } from '@facemask/engine';
import { transformHash } from '@facemask/image-cache';
import { cachedPreprocess, type ManifestInputs } from './manifest.ts';

/** Reads what a run wrote for an export, and refuses a run that does not match its config. */

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

export interface Gathered extends Omit<ManifestInputs, 'exportedAt'> {
  /** Each exported fold's model folder (`best/`). */
  modelDirs: string[];
}

export async function gatherRun(cfg: PipelineConfig, opts: { folds?: readonly number[] }): Promise<Gathered> {
  const work = cfg.data.work;
  const round = lastRound(cfg);
  const trained = trainedFolds(cfg);
  const folds = opts.folds ? [...new Set(opts.folds)].sort((a, b) => a - b) : trained;
  const unknown = folds.filter((f) => !trained.includes(f));
  if (unknown.length) throw new ExportError(`--folds lists fold ${unknown.join(', ')}, but the run trained folds ${trained.join(', ')}: choose among those`);
  if (folds.length === 0) throw new ExportError('no folds to export: --folds is empty');

  const report = await readArtifact(ensembleArtifacts(round).report, workLayout.ensemble(work, round).report);
  const members = report.members.map((m) => m.fold);
  if (members.length !== trained.length || members.some((f, i) => f !== trained[i])) {
    throw new ExportError(`the round ${round} ensemble voted over folds ${members.join(', ')}, the config trains ${trained.join(', ')}: run the pipeline with this config first`);
  }
  const fingerprintPath = workLayout.preprocess(work).fingerprint;
  const fingerprint = await readFingerprint(work);
  // as the folds' run records hash it: the same on every machine of a team
  const trainParamsHash = stageParamsHash(stageParams(cfg, 'train'));
  const out: Gathered = {
    cfg,
    configHash: hashJson(cfg),
    trainParamsHash: null,
    backend: null,
    round,
    folds: [],
    report,
    fingerprint,
    preprocess: cachedPreprocess(fingerprint, fingerprintPath),
    faces: null,
    modelDirs: [],
  };
  const faceOptions = out.preprocess.faceCrop;
  if (faceOptions) {
    // The detections the cache cropped by: their options, weights and engine are what predict repeats.
    const file = workLayout.detect(work).detections;
    const d = await readArtifact(detectionsArtifact, file);
    const pp = out.preprocess;
    const faceCrop = { options: faceOptions, detectionsHash: hashJson(d.records), records: new Map() };
    if (transformHash({ centerCrop: pp.centerCrop, height: pp.height, width: pp.width, faceCrop }) !== fingerprint.cache.transform) {
      throw new ExportError(`${file} is not what the image cache was cropped by (detect ran again since, or the decoder changed): rerun the pipeline with this config first`);
    }
    out.faces = { options: d.options, models: d.models, backend: d.backend };
  }
  for (const fold of folds) {
    const paths = workLayout.fold(work, round, fold);
    const summary = await readArtifact(foldArtifacts(round, fold).summary, paths.summary);
    if (!summary.complete) throw new ExportError(`fold ${fold} of round ${round} stopped after epoch ${summary.epochsDone}: finish it (\`nx run ${foldArtifacts(round, fold).summary.producedBy}\`)`);
    // Fails with the folder named when the best model is missing or not a model.
    await readModelMetadata(paths.best);
    const run = await readRunRecord(paths.run);
    if (run && run.paramsHash !== trainParamsHash) {
      throw new ExportError(`fold ${fold} was trained with other train settings than this config's (${paths.run}): run the pipeline with this config first`);
    }
    if (run) {
      out.trainParamsHash = run.paramsHash;
      out.backend ??= run.backend;
    }
    out.folds.push({ fold, summary });
    out.modelDirs.push(paths.best);
  }
  return out;
}

/** A fold's run.json; null when absent (a fold trained by calling its run function directly). */
async function readRunRecord(path: string): Promise<RunRecord | null> {
  if (!(await stat(path).catch(() => null))) return null;
  return readArtifact(runRecordArtifact, path);
}
