import { z } from 'zod';
import {
  classTable,
  faceCropSchema,
  MODEL_FOLDER_FILES,
  modelManifestSchema,
  type CropRule,
  type Detections,
  type EnsembleReport,
  type Fingerprint,
  type FoldSummary,
  type ModelManifest,
  type PipelineConfig,
} from '@facemask/contracts';

/** The manifest of an exported folder, from what the run wrote (pure: the reading is in gather.ts). */

/** The preprocess options the run's image cache was built with (its fingerprint records them). */
const cachedOptions = z.object({
  preprocess: z.object({
    centerCrop: z.number().int().positive().nullable(),
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    youngAgeThreshold: z.number().int().min(1),
    oldAgeThreshold: z.number().int().min(1),
    /** Absent in runs from before the face crop. */
    faceCrop: faceCropSchema.nullable().default(null),
  }),
});
export type CachedOptions = z.infer<typeof cachedOptions>['preprocess'];

export function cachedPreprocess(fp: Fingerprint, source: string): CachedOptions {
  const r = cachedOptions.safeParse(fp.options);
  if (!r.success) throw new Error(`${source} lacks the cache options (${z.prettifyError(r.error).replace(/\s*\n\s*/g, '; ')}): rerun preprocess (\`nx run preprocess:run\`)`);
  return r.data.preprocess;
}

/** What the detect stage used, for a run whose cache cropped around the face (the detections artifact's). */
export type FaceSource = Pick<Detections, 'options' | 'models' | 'backend'>;

/** How the cache cropped: the rule prediction must repeat. */
export function cropRuleOf(pp: CachedOptions, faces: FaceSource | null): CropRule {
  if (!pp.faceCrop) return { kind: 'centre', size: pp.centerCrop };
  if (!faces) throw new Error('internal: a face-crop run needs its detections to export');
  return { kind: 'face', detect: faces.options, crop: pp.faceCrop, fallbackCenterCrop: pp.centerCrop, models: faces.models, backend: faces.backend };
}

export interface ExportedFold {
  fold: number;
  summary: FoldSummary;
}

export interface ManifestInputs {
  cfg: Pick<PipelineConfig, 'name' | 'augment' | 'model'>;
  configHash: string;
  trainParamsHash: string | null;
  backend: string | null;
  round: 1 | 2;
  folds: ExportedFold[];
  /** The ensemble report of the round: method, weights (one per trained fold), out-of-fold scores. */
  report: EnsembleReport;
  fingerprint: Fingerprint;
  preprocess: CachedOptions;
  /** The detect stage's options, weights and backend; null unless the cache cropped around the face. */
  faces: FaceSource | null;
  exportedAt: Date;
}

export function buildManifest(x: ManifestInputs): ModelManifest {
  const trainedOrder = x.report.members.map((m) => m.fold);
  const weights = x.report.weights === null ? null : x.folds.map((f) => x.report.weights![trainedOrder.indexOf(f.fold)]!);
  const thresholds = { young: x.preprocess.youngAgeThreshold, old: x.preprocess.oldAgeThreshold };
  return modelManifestSchema.parse({
    name: x.cfg.name,
    exportedAt: x.exportedAt.toISOString(),
    members: x.folds.map((f) => ({ fold: f.fold, path: MODEL_FOLDER_FILES.member(f.fold), oofMacroF1: f.summary.bestMacroF1, bestEpoch: f.summary.bestEpoch })),
    head: x.cfg.model.head,
    vote: { method: x.report.method, weights },
    input: { height: x.preprocess.height, width: x.preprocess.width, channels: 3 },
    crop: cropRuleOf(x.preprocess, x.faces),
    normalize: { mean: x.cfg.augment.mean, std: x.cfg.augment.std },
    tta: x.cfg.augment.tta ? 'hflip' : 'none',
    classes: classTable(thresholds),
    ageThresholds: thresholds,
    source: {
      round: x.round,
      configHash: x.configHash,
      trainParamsHash: x.trainParamsHash,
      data: { dataset: x.fingerprint.dataset, files: x.fingerprint.files, bytes: x.fingerprint.bytes, optionsHash: x.fingerprint.optionsHash },
      backend: x.backend,
    },
    scores: {
      n: x.report.oof.n,
      accuracy: x.report.oof.accuracy,
      macroF1: x.report.oof.macroF1,
      perClass: x.report.oof.perClass.map((c) => ({ cls: c.cls, f1: c.f1, support: c.support })),
      folds: x.report.folds,
    },
  });
}

/** One screen about an exported folder. */
export function describeManifest(m: ModelManifest, dir: string): string {
  const crop =
    m.crop.kind === 'centre'
      ? `centre crop ${m.crop.size ?? 'none'}`
      : `face crop (${m.crop.detect.detectors.map((d) => `${d.name} >= ${d.minScore}`).join(', then ')}; margin ${m.crop.crop.margin}; no face: centre crop ${m.crop.fallbackCenterCrop ?? 'none'})`;
  return [
    `model folder ${dir}`,
    `  ${m.members.length} fold model${m.members.length === 1 ? '' : 's'} of round ${m.source.round} (folds ${m.members.map((x) => x.fold).join(', ')}), ${m.head} head, ${m.vote.method} vote`,
    `  input ${m.input.height}x${m.input.width}, ${crop}, TTA ${m.tta}, age bands ${m.classes.slice(0, 3).map((c) => c.age).join(' / ')}`,
    `  out-of-fold macro-F1 ${m.scores.macroF1.toFixed(4)} (accuracy ${m.scores.accuracy.toFixed(4)}, ${m.scores.n} photos)`,
  ].join('\n');
}
