/**
 * Measurement script (README "Measured"): runs detectors over a realfaces-style set and scores
 * detection and containment per photo kind.
 *
 *   pnpm --filter @facemask/face-detect measure run --set ../shared/realfaces-dev-wide \
 *     --detector '{"name":"tiny","inputSize":416}' --out /tmp/fd/tiny416.json [--workers 2] [--limit N]
 *   pnpm --filter @facemask/face-detect measure score --set ../shared/realfaces-dev-wide \
 *     --runs /tmp/fd/ssd.json,/tmp/fd/blazeface.json --min-scores 0.5,0.3 [--pick largest] [--min-face-size 0.25]
 *   (a detect stage's <work>/detect/detections.json scores as a run: --runs it --min-scores 0)
 *
 * `run` keeps every candidate down to score 0.05 so `score` can try any threshold and any cascade
 * of recorded detectors without running them again.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createProgress, writeFileAtomic } from '@facemask/contracts';
import { cropOptionsSchema, FACE_SQUARE, type FaceSquareCalibration } from '../geometry.ts';
import { centreInside } from '../score.ts';
import { cascadeFace, groupStats, type EvalPhoto } from '../evaluate.ts';
import { detectorSpecSchema, parseDetectOptions } from '../options.ts';
import type { Detections } from '../artifact.ts';
import type { DetectionRecord } from '../record.ts';
import { detectFiles } from '../node/batch.ts';
import { readGroundTruth, type GroundTruthPhoto } from '../node/ground-truth.ts';

const RAW_FLOOR = 0.05;

interface RunFile {
  set: string;
  detector: unknown;
  backend: string;
  workers: number;
  seconds: number;
  steadyMs: number;
  cpuMs: number;
  photos: number;
  records: DetectionRecord[];
}

function groupsOf(p: GroundTruthPhoto): string[] {
  return [...(p.kind ? [p.kind] : []), `all:${p.mask}`, p.kind ? 'train' : 'eval', 'all'];
}

async function run(args: Record<string, string | undefined>) {
  const set = resolve(args.set ?? '');
  const spec = detectorSpecSchema.parse({ ...JSON.parse(args.detector ?? '{}'), minScore: RAW_FLOOR });
  const options = parseDetectOptions({ detectors: [spec], maxFaces: 100, pick: 'score', landmarks: false });
  let photos = await readGroundTruth(set);
  if (args.limit) photos = photos.slice(0, Number(args.limit));
  const workers = args.workers === undefined ? 2 : Number(args.workers);
  const progress = createProgress({ label: `detect ${spec.name}`, total: photos.length, unit: 'img' });
  const t0 = performance.now();
  let first = 0;
  let last = 0;
  let cpuFirst = process.cpuUsage();
  let cpuLast = cpuFirst;
  const result = await detectFiles(
    photos.map((p) => p.file),
    options,
    {
      workers,
      backend: args.backend,
      onRecord: () => {
        last = performance.now();
        cpuLast = process.cpuUsage();
        if (!first) {
          first = last;
          cpuFirst = cpuLast;
        }
        progress.tick();
      },
      recordPath: (f) => f.slice(set.length + 1),
    },
  );
  progress.stop();
  const seconds = (performance.now() - t0) / 1000;
  // Steady state: from the first photo's result to the last (model loading and warm-up excluded).
  const steadyMs = photos.length > 1 ? (last - first) / (photos.length - 1) : NaN;
  // CPU time of all threads over the same span: what a photo costs whatever else the machine runs.
  const cpuMs = photos.length > 1 ? (cpuLast.user + cpuLast.system - cpuFirst.user - cpuFirst.system) / 1000 / (photos.length - 1) : NaN;
  const out: RunFile = { set, detector: spec, backend: result.backend, workers, seconds, steadyMs, cpuMs, photos: photos.length, records: result.records };
  await mkdir(dirname(resolve(args.out!)), { recursive: true });
  await writeFileAtomic(resolve(args.out!), JSON.stringify(out));
  console.log(`${spec.name} ${JSON.stringify(spec)}: ${photos.length} photos in ${seconds.toFixed(1)} s (${((1000 * seconds) / photos.length).toFixed(1)} ms/photo with loading, ${steadyMs.toFixed(1)} ms/photo steady, ${cpuMs.toFixed(1)} CPU ms/photo; ${result.backend}, ${workers} workers)`);
}

async function score(args: Record<string, string | undefined>) {
  const set = resolve(args.set ?? '');
  // A run file of `measure run`, or the detect stage's detections.json (already at its own scores: --min-scores 0).
  const runs = await Promise.all(
    (args.runs ?? '').split(',').map(async (f) => {
      const j = JSON.parse(await readFile(f, 'utf8')) as RunFile | { kind: string; data: Detections };
      return 'kind' in j ? ({ detector: j.data.options.detectors, records: j.data.records } as RunFile) : j;
    }),
  );
  const minScores = (args['min-scores'] ?? '').split(',').map(Number);
  if (minScores.length !== runs.length || minScores.some((s) => !(s >= 0 && s <= 1))) throw new Error('--min-scores: one score in 0..1 per run');
  const pick = (args.pick ?? 'largest') as 'largest' | 'score';
  const gt = await readGroundTruth(set);
  const byPath = runs.map((r) => new Map(r.records.map((rec) => [rec.path, rec])));
  const photos: EvalPhoto[] = gt
    .filter((p) => byPath[0]!.has(p.path))
    .map((p) => ({ path: p.path, groups: groupsOf(p), face: p.face, width: byPath[0]!.get(p.path)!.width, height: byPath[0]!.get(p.path)!.height }));
  const order = ['mask1', 'mask2', 'mask3', 'mask4', 'mask5', 'incorrect_mask', 'normal', 'all:wear', 'all:incorrect', 'all:not_wear', 'train', 'eval', 'all'];
  // --calibration '{"blazeface":{"scale":1,"offsetY":0}}': other face-square constants (default FACE_SQUARE).
  const squares = { ...FACE_SQUARE, ...(JSON.parse(args.calibration ?? '{}') as Partial<FaceSquareCalibration>) };
  // --crop '{"margin":0}': the crop "crop covers" judges (default: cropOptionsSchema's defaults).
  const crop = cropOptionsSchema.parse(JSON.parse(args.crop ?? '{}'));
  // --min-face-size 0.25: the detect options' minFaceSize (default 0: every box).
  const minFaceSize = Number(args['min-face-size'] ?? 0);
  if (!(minFaceSize >= 0 && minFaceSize <= 1)) throw new Error("--min-face-size: a fraction of the photo's shorter side in 0..1");
  const stats = groupStats(photos, (p) => cascadeFace(byPath.map((m) => m.get(p.path)), minScores.map((minScore) => ({ minScore })), pick, minFaceSize), crop, squares);
  const name = runs.map((r, i) => `${JSON.stringify(r.detector).replace(/"minScore":[0-9.]+,?/, '').replace(',}', '}')}@${minScores[i]}`).join(' -> ');
  const hasTruth = photos.some((p) => p.face);
  const lines = [`${name} (pick ${pick}) on ${set}`, `| group | photos | detected | ${hasTruth ? 'contains face | IoU >= 0.5 | crop covers |' : ''}`, `|---|---|---|${hasTruth ? '---|---|---|' : ''}`];
  stats.sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));
  for (const s of stats) {
    const pct = (n: number) => `${((100 * n) / s.photos).toFixed(1)}%`;
    lines.push(`| ${s.group} | ${s.photos} | ${pct(s.detected)} | ${hasTruth ? `${pct(s.contains)} | ${pct(s.matches)} | ${pct(s.cropCovers)} |` : ''}`);
  }
  const text = lines.join('\n');
  console.log(text);
  if (args.out) await writeFile(args.out, text + '\n');
}

/**
 * Per-detector face-square calibration (geometry.ts FACE_SQUARE): the median ratio of the truth
 * square's side to the box's longer side, and the median vertical offset of the square's centre
 * from the box's (as a share of the square's side), over the TRAIN photos only. The truth is the
 * set's face_boxes.csv, or with `--reference RUN --reference-score S` the squared box of another
 * detector's run (the relative calibration of a cascade: each detector's square made to agree with
 * the reference detector's own box). Photos whose best box is far from the truth (ratio outside
 * 0.5..2, or centre outside) are left out: they are misses, not the box convention.
 */
async function calibrate(args: Record<string, string | undefined>) {
  const set = resolve(args.set ?? '');
  const minScores = (args['min-scores'] ?? '').split(',').map(Number);
  const best = (rec: DetectionRecord | undefined, min: number) => rec?.faces.filter((x) => x.score >= min).sort((a, b) => b.score - a.score)[0];
  const gt = new Map((await readGroundTruth(set)).map((p) => [p.path, p]));
  let truthOf = (path: string) => gt.get(path)?.face ?? null;
  if (args.reference) {
    const ref = new Map((JSON.parse(await readFile(args.reference, 'utf8')) as RunFile).records.map((r) => [r.path, r]));
    const min = Number(args['reference-score'] ?? '0.5');
    truthOf = (path) => {
      const f = best(ref.get(path), min);
      if (!f) return null;
      const side = Math.max(f.box.width, f.box.height);
      return { x: f.box.x + f.box.width / 2 - side / 2, y: f.box.y + f.box.height / 2 - side / 2, width: side, height: side };
    };
  }
  for (const [k, file] of (args.runs ?? '').split(',').entries()) {
    const run = JSON.parse(await readFile(file, 'utf8')) as RunFile;
    const ratios: number[] = [];
    const offsets: number[] = [];
    for (const rec of run.records) {
      const truth = truthOf(rec.path);
      if (!truth || !gt.get(rec.path)?.kind) continue;
      const f = best(rec, minScores[k] ?? 0.5);
      if (!f || !centreInside(f.box, truth)) continue;
      const ratio = truth.width / Math.max(f.box.width, f.box.height);
      if (ratio < 0.5 || ratio > 2) continue;
      ratios.push(ratio);
      offsets.push((truth.y + truth.height / 2 - (f.box.y + f.box.height / 2)) / truth.height);
    }
    const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)]!;
    console.log(`${JSON.stringify(run.detector)}: n ${ratios.length}, scale ${median(ratios).toFixed(3)}, offsetY ${median(offsets).toFixed(3)}`);
  }
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    set: { type: 'string' },
    detector: { type: 'string' },
    out: { type: 'string' },
    workers: { type: 'string' },
    limit: { type: 'string' },
    backend: { type: 'string' },
    runs: { type: 'string' },
    'min-scores': { type: 'string' },
    'min-face-size': { type: 'string' },
    pick: { type: 'string' },
    calibration: { type: 'string' },
    crop: { type: 'string' },
    reference: { type: 'string' },
    'reference-score': { type: 'string' },
  },
});
const cmd = positionals[0];
if (cmd === 'run') await run(values);
else if (cmd === 'score') await score(values);
else if (cmd === 'calibrate') await calibrate(values);
else {
  console.error('usage: measure run|score ... (see the comment at the top of src/cli/measure.ts)');
  process.exit(2);
}
