import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  encodeClass,
  ensembleArtifacts,
  evalListArtifact,
  foldArtifacts,
  NUM_CLASSES,
  parseConfig,
  preprocessSummaryArtifact,
  samplesArtifact,
  stageParams,
  workLayout,
  writeArtifact,
  type AgeBand,
  type EpochRecord,
  type Gender,
  type Mask,
  type Predictions,
  type PreprocessSummary,
  type Sample,
} from '@facemask/contracts';
import { peaked, preds } from '@facemask/contracts/testing';
import { buildReport } from '@facemask/ensemble';
import type { ReportParams } from '../params.ts';

/**
 * A small hand-made run written through the real artifact schemas (no training): 4 people x 3
 * photos, 2 folds, one round, an ensemble, a submission and eval labels. Every number is chosen
 * here, so tests can state expected values by hand.
 */

export const PEOPLE = [
  { id: '000001', gender: 0 as Gender, age: 25, fold: 0 },
  { id: '000002', gender: 1 as Gender, age: 45, fold: 0 },
  { id: '000003', gender: 0 as Gender, age: 65, fold: 1 },
  { id: '000004', gender: 1 as Gender, age: 22, fold: 1 },
];
export const KINDS = [
  { kind: 'mask1' as const, mask: 0 as Mask },
  { kind: 'incorrect_mask' as const, mask: 1 as Mask },
  { kind: 'normal' as const, mask: 2 as Mask },
];
const band = (age: number): AgeBand => (age < 30 ? 0 : age < 60 ? 1 : 2);

/** Out-of-fold answers: (sample index -> [predicted class, confidence]); every other sample is right at 0.8. */
export const WRONG: Record<number, [number, number]> = {
  // 000001 mask1 (class 0) taken for class 3 at 0.9: the most confident mistake
  0: [3, 0.9],
  // 000002 normal (class 16) taken for class 4 at 0.6
  5: [4, 0.6],
  // 000004 incorrect_mask (class 9) taken for class 15 at 0.7
  10: [15, 0.7],
};

export const EPOCHS = [3, 4];
export const BEST = [1, 2];

export interface FakeRun {
  dir: string;
  /** The report's slice of the run's config. */
  config: ReportParams;
  work: string;
  samples: Sample[];
  /** The photo of each sample, in sample order. */
  photos: string[];
}

function epochLog(n: number, seed: number): EpochRecord[] {
  return Array.from({ length: n }, (_, e) => ({
    epoch: e,
    lr: 0.01 * 0.5 ** e,
    trainLoss: 2.5 - 0.4 * e - seed * 0.05,
    valLoss: 2.6 - 0.2 * e,
    accuracy: 0.3 + 0.1 * e,
    macroF1: 0.2 + 0.1 * e,
    perClassF1: new Array<number>(NUM_CLASSES).fill(0.1),
    imagesPerSecond: 50,
    seconds: 2,
  }));
}

export async function fakeRun(): Promise<FakeRun> {
  const dir = await mkdtemp(join(tmpdir(), 'report-fake-'));
  const root = join(dir, 'data');
  const work = join(dir, 'work');
  const samples: Sample[] = [];
  const photos: string[] = [];
  for (const p of PEOPLE) {
    const folder = `${p.id}_${p.gender === 0 ? 'male' : 'female'}_Asian_${p.age}`;
    await mkdir(join(root, 'train', 'images', folder), { recursive: true });
    for (const k of KINDS) {
      const path = join(root, 'train', 'images', folder, `${k.kind}.jpg`);
      const shade = 40 + 50 * samples.length;
      await sharp({ create: { width: 48, height: 64, channels: 3, background: { r: shade % 256, g: 120, b: 200 } } }).jpeg().toFile(path);
      samples.push({
        id: `${folder}/${k.kind}.jpg`,
        // relative to the data root, as preprocess writes it
        path: `train/images/${folder}/${k.kind}.jpg`,
        personId: p.id,
        kind: k.kind,
        mask: k.mask,
        gender: p.gender,
        age: p.age,
        ageBand: band(p.age),
        cls: encodeClass(k.mask, p.gender, band(p.age)),
        fold: p.fold,
        correction: null,
        cacheIndex: samples.length,
      });
      photos.push(path);
    }
  }
  const config = stageParams(parseConfig({
    name: 'fake <run> & "friends"',
    data: { root, work, evalLabels: join(root, 'eval_labels.csv') },
    preprocess: { folds: 2, centerCrop: 48, height: 32, width: 32 },
    train: { epochs: 4 },
  }), 'report');
  const classCounts = new Array<number>(NUM_CLASSES).fill(0);
  for (const s of samples) classCounts[s.cls]! += 1;
  const summary: PreprocessSummary = {
    seed: config.seed,
    folds: 2,
    totals: { peopleFound: 4, photosFound: 12, people: 4, samples: 12, evalImages: 4 },
    classCounts,
    foldPeople: [2, 2],
    foldSamples: [6, 6],
    foldClassCounts: [0, 1].map((f) => {
      const c = new Array<number>(NUM_CLASSES).fill(0);
      for (const s of samples) if (s.fold === f) c[s.cls]! += 1;
      return c;
    }),
    balance: { person6WithinFold: 0.25, image18WithinFold: 0.1 },
    skipped: [{ path: 'train/images/000005_male_Asian_30/mask2.jpg', reason: 'truncated image <EOF>' }],
    warnings: [],
    corrections: { source: null, applied: [], ignored: [], samplesChanged: 0 },
    dropped: { ageRanges: [], people: [] },
    hiddenFiles: 0,
    cache: { height: 32, width: 32, channels: 3, centerCrop: 48, train: { count: 12 }, eval: { count: 4 }, faceCrop: null },
  };
  const pre = workLayout.preprocess(work);
  await writeArtifact(preprocessSummaryArtifact, pre.summary, summary);
  await writeArtifact(samplesArtifact, pre.samples, { folds: 2, seed: config.seed, samples });
  const evalImages = join(root, 'eval', 'images');
  await mkdir(evalImages, { recursive: true });
  const evalList = ['e1.jpg', 'e2.jpg', 'e3.jpg', 'e4.jpg'].map((ImageID, cacheIndex) => ({ ImageID, path: `eval/images/${ImageID}`, cacheIndex }));
  for (const e of evalList) await sharp({ create: { width: 48, height: 64, channels: 3, background: { r: 60 * e.cacheIndex, g: 200, b: 90 } } }).jpeg().toFile(join(root, e.path));
  await writeArtifact(evalListArtifact, pre.eval, { images: evalList });

  const evalIds = ['e1.jpg', 'e2.jpg', 'e3.jpg', 'e4.jpg'];
  const evalPred = (source: string): Predictions => preds(source, 'eval', evalIds, [peaked(0, 0.7), peaked(0, 0.6), peaked(12, 0.9), peaked(7, 0.5)]);
  const folds = [0, 1].map((fold) => {
    const rows = samples.map((s, i) => ({ s, i })).filter(({ s }) => s.fold === fold);
    const oof = preds(
      `round1/fold-${fold}`,
      'oof',
      rows.map(({ s }) => s.id),
      rows.map(({ s, i }) => (WRONG[i] ? peaked(WRONG[i][0], WRONG[i][1]) : peaked(s.cls, 0.8))),
      rows.map(({ s }) => s.cls),
    );
    return { fold, oof, eval: evalPred(`round1/fold-${fold}`) };
  });
  for (const [i, f] of folds.entries()) {
    const d = workLayout.fold(work, 1, f.fold);
    await mkdir(d.dir, { recursive: true });
    await writeFile(d.metrics, epochLog(EPOCHS[i]!, i).map((r) => `${JSON.stringify(r)}\n`).join(''));
    await writeArtifact(foldArtifacts(1, f.fold).summary, d.summary, {
      round: 1,
      fold: f.fold,
      complete: true,
      mode: 'finetune',
      epochs: EPOCHS[i]!,
      epochsDone: EPOCHS[i]!,
      bestEpoch: BEST[i]!,
      bestMacroF1: 0.2 + 0.1 * BEST[i]!,
      bestAccuracy: 0.3 + 0.1 * BEST[i]!,
      trainSamples: 6,
      valSamples: 6,
      evalSamples: 4,
      imagesPerSecond: 50,
      seconds: 2 * EPOCHS[i]!,
    });
  }
  const oof = preds('ensemble/round1', 'oof', [...folds[0]!.oof.ids, ...folds[1]!.oof.ids], [], [...folds[0]!.oof.labels!, ...folds[1]!.oof.labels!]);
  oof.probs = [...folds[0]!.oof.probs, ...folds[1]!.oof.probs];
  const ev = evalPred('ensemble/round1');
  const specs = ensembleArtifacts(1);
  const paths = workLayout.ensemble(work, 1);
  await writeArtifact(specs.oof, paths.oof, oof);
  await writeArtifact(specs.eval, paths.eval, ev);
  await writeArtifact(specs.report, paths.report, buildReport({ round: 1, method: 'soft', weights: null, folds, oof, eval: ev }));

  const sub = workLayout.submission(work);
  await mkdir(sub.dir, { recursive: true });
  await writeFile(sub.csv, 'ImageID,ans\ne1.jpg,0\ne2.jpg,0\ne3.jpg,12\ne4.jpg,7\n');
  // two of four right: e1 (0) and e3 (12)
  await writeFile(join(root, 'eval_labels.csv'), 'ImageID,ans\ne1.jpg,0\ne2.jpg,1\ne3.jpg,12\ne4.jpg,13\n');
  return { dir, config, work, samples, photos };
}
