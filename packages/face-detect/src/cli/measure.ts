/**
 * Measurement script (README "Measured"): runs detectors over a realfaces-style set and scores
 * detection and containment per photo kind.
 *
 *   pnpm --filter @facemask/face-detect measure run --set ../shared/realfaces-dev-wide \
 *     --detector '{"name":"tiny","inputSize":416}' --out /tmp/fd/tiny416.json [--workers 2] [--limit N]
 *   pnpm --filter @facemask/face-detect measure score --set ../shared/realfaces-dev-wide \
 *     --runs /tmp/fd/ssd.json,/tmp/fd/blazeface.json --min-scores 0.5,0.3 [--pick largest]
 *
 * `run` keeps every candidate down to score 0.05 so `score` can try any threshold and any cascade
 * of recorded detectors without running them again.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createProgress, writeFileAtomic } from '@facemask/core';
import { cascadeFace, groupStats, type EvalPhoto } from '../evaluate.ts';
import { detectorSpecSchema, parseDetectOptions } from '../options.ts';
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
  photos: number;
  records: DetectionRecord[];
}

function groupsOf(p: GroundTruthPhoto): string[] {
  return [...(p.kind ? [p.kind] : []), `all:${p.mask}`, 'all'];
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
  const result = await detectFiles(
    photos.map((p) => p.file),
    options,
    { workers, backend: args.backend, onRecord: () => progress.tick(), recordPath: (f) => f.slice(set.length + 1) },
  );
  progress.stop();
  const seconds = (performance.now() - t0) / 1000;
  const out: RunFile = { set, detector: spec, backend: result.backend, workers, seconds, photos: photos.length, records: result.records };
  await mkdir(dirname(resolve(args.out!)), { recursive: true });
  await writeFileAtomic(resolve(args.out!), JSON.stringify(out));
  console.log(`${spec.name} ${JSON.stringify(spec)}: ${photos.length} photos in ${seconds.toFixed(1)} s (${((1000 * seconds) / photos.length).toFixed(1)} ms/photo, ${result.backend}, ${workers} workers)`);
}

async function score(args: Record<string, string | undefined>) {
  const set = resolve(args.set ?? '');
  const runs = await Promise.all((args.runs ?? '').split(',').map(async (f) => JSON.parse(await readFile(f, 'utf8')) as RunFile));
  const minScores = (args['min-scores'] ?? '').split(',').map(Number);
  if (minScores.length !== runs.length || minScores.some((s) => !(s >= 0 && s <= 1))) throw new Error('--min-scores: one score in 0..1 per run');
  const pick = (args.pick ?? 'largest') as 'largest' | 'score';
  const gt = await readGroundTruth(set);
  const byPath = runs.map((r) => new Map(r.records.map((rec) => [rec.path, rec])));
  const photos: EvalPhoto[] = gt.filter((p) => byPath[0]!.has(p.path)).map((p) => ({ path: p.path, groups: groupsOf(p), face: p.face }));
  const order = ['mask1', 'mask2', 'mask3', 'mask4', 'mask5', 'incorrect_mask', 'normal', 'all:wear', 'all:incorrect', 'all:not_wear', 'all'];
  const stats = groupStats(photos, (p) => cascadeFace(byPath.map((m) => m.get(p.path)), minScores.map((minScore) => ({ minScore })), pick));
  const name = runs.map((r, i) => `${JSON.stringify(r.detector).replace(/"minScore":[0-9.]+,?/, '')}@${minScores[i]}`).join(' -> ');
  const hasTruth = photos.some((p) => p.face);
  const lines = [`${name} (pick ${pick}) on ${set}`, `| group | photos | detected | ${hasTruth ? 'contains face |' : ''}`, `|---|---|---|${hasTruth ? '---|' : ''}`];
  stats.sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));
  for (const s of stats) {
    const pct = (n: number) => `${((100 * n) / s.photos).toFixed(1)}%`;
    lines.push(`| ${s.group} | ${s.photos} | ${pct(s.detected)} | ${hasTruth ? `${pct(s.contains)} |` : ''}`);
  }
  const text = lines.join('\n');
  console.log(text);
  if (args.out) await writeFile(args.out, text + '\n');
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
    pick: { type: 'string' },
  },
});
const cmd = positionals[0];
if (cmd === 'run') await run(values);
else if (cmd === 'score') await score(values);
else {
  console.error('usage: measure run|score ... (see the comment at the top of src/cli/measure.ts)');
  process.exit(2);
}
