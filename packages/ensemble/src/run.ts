import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError, readArtifact, writeArtifact, writeDirAtomic, writeFileAtomic, type PipelineConfig } from '@facemask/core';
import { foldFiles } from '@facemask/train/layout';
import type { Predictions } from '@facemask/train/predictions';
import { ensembleArtifacts, ensemblePaths, trainPredictionsArtifact, trainRoundDir, type EnsemblePaths, type EnsembleReport, type Round } from './artifacts.ts';
import { combine } from './combine.ts';
import { EnsembleError } from './errors.ts';
import { infoCsvPath, readEvalIds } from './eval-ids.ts';
import { describeIdMismatch, diffIds } from './ids.ts';
import { concatOof } from './oof.ts';
import { buildReport, formatEnsembleReport, type FoldPredictions } from './report.ts';

export interface FoldDir {
  fold: number;
  dir: string;
}

/**
 * The fold folders of a training round: `config.train.folds` when it lists some (each must
 * exist), else every `fold-<k>` folder present, in fold order.
 */
export async function findFoldDirs(config: PipelineConfig, round: Round): Promise<FoldDir[]> {
  const root = trainRoundDir(config.data.work, round);
  const target = `train:round${round}`;
  let names: string[] = [];
  try {
    names = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const present = names
    .map((name) => /^fold-(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const wanted = config.train.folds;
  if (wanted !== null) {
    const folds = [...new Set(wanted)].sort((a, b) => a - b);
    const absent = folds.filter((k) => !present.includes(k));
    if (absent.length > 0) {
      throw new ArtifactError(
        `config.train.folds lists fold ${absent.join(', ')} but ${root} has no ${absent.map((k) => `fold-${k}`).join(', ')} folder: run \`nx run ${target}\` first`,
      );
    }
    return folds.map((fold) => ({ fold, dir: join(root, `fold-${fold}`) }));
  }
  if (present.length === 0) throw new ArtifactError(`no fold-<k> folders under ${root}: run \`nx run ${target}\` first`);
  return present.map((fold) => ({ fold, dir: join(root, `fold-${fold}`) }));
}

/** `predictions-oof.json` and `predictions-eval.json` of one fold folder. */
export function foldPredictionPaths(dir: string): { oof: string; eval: string } {
  return { oof: join(dir, foldFiles.oof), eval: join(dir, foldFiles.eval) };
}

async function readFold(f: FoldDir, round: Round): Promise<FoldPredictions & { evalPath: string }> {
  const spec = trainPredictionsArtifact(round);
  const paths = foldPredictionPaths(f.dir);
  const read = async (split: 'oof' | 'eval'): Promise<Predictions> => {
    const p = await readArtifact(spec, paths[split]);
    if (p.split !== split) {
      throw new EnsembleError(`${paths[split]} holds ${p.split} predictions, expected ${split}: retrain fold ${f.fold} (\`nx run ${spec.producedBy}\`)`);
    }
    return p;
  };
  return { fold: f.fold, oof: await read('oof'), eval: await read('eval'), evalPath: paths.eval };
}

export interface EnsembleRunResult {
  paths: EnsemblePaths;
  eval: Predictions;
  oof: Predictions;
  report: EnsembleReport;
  /** One screen of text describing the report. */
  summary: string;
}

/**
 * Stage 3 of a round: reads every fold's out-of-fold and eval predictions, combines the eval
 * predictions (config.ensemble.method / weights, rows in eval/info.csv order), joins the
 * out-of-fold ones and scores them, and writes `<work>/ensemble/round<r>/` as one unit.
 */
export async function runEnsemble(config: PipelineConfig, round: Round): Promise<EnsembleRunResult> {
  const foldDirs = await findFoldDirs(config, round);
  const folds: (FoldPredictions & { evalPath: string })[] = [];
  for (const f of foldDirs) folds.push(await readFold(f, round));

  const { method, weights } = config.ensemble;
  if (weights !== null && weights.length !== folds.length) {
    throw new EnsembleError(
      `config.ensemble.weights has ${weights.length} values but round ${round} has ${folds.length} folds ` +
        `(${folds.map((f) => `fold-${f.fold}`).join(', ')}): give one weight per fold, or null for equal weights`,
    );
  }

  const infoCsv = infoCsvPath(config.data.root);
  const evalIds = await readEvalIds(infoCsv);
  const problems = folds
    .map((f) =>
      describeIdMismatch(
        `fold-${f.fold} eval predictions (${f.evalPath})`,
        diffIds(f.eval.ids, evalIds),
        `retrain that fold (\`nx run train:round${round}\`); they do not match ${infoCsv}`,
      ),
    )
    .filter((m): m is string => m !== null);
  if (problems.length > 0) throw new EnsembleError(problems.join('\n'));

  const source = `ensemble/round${round}`;
  const ev = combine(
    folds.map((f) => f.eval),
    { method, weights, ids: evalIds, source },
  );
  const oof = concatOof(
    folds.map((f) => f.oof),
    { source },
  );
  const report = buildReport({ round, method, weights, folds, oof, eval: ev });
  const summary = formatEnsembleReport(report);

  const paths = ensemblePaths(config.data.work, round);
  const specs = ensembleArtifacts(round);
  // The round's files are swapped in together, so eval.json never pairs with a stale report.json.
  await writeDirAtomic(paths.dir, async (tmp) => {
    await writeArtifact(specs.eval, join(tmp, 'eval.json'), ev);
    await writeArtifact(specs.oof, join(tmp, 'oof.json'), oof);
    await writeArtifact(specs.report, join(tmp, 'report.json'), report);
    await writeFileAtomic(join(tmp, 'report.txt'), summary + '\n');
  });
  return { paths, eval: ev, oof, report, summary };
}
