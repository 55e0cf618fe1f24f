import {
  ArtifactError,
  foldArtifacts,
  readArtifact,
  readEvalList,
  workLayout,
  type EnsembleReport,
  type Predictions,
  type Round,
  type StageParams,
} from '@facemask/contracts';
import { combine } from './combine.ts';
import { EnsembleError } from './errors.ts';
import { describeIdMismatch, diffIds } from '@facemask/contracts';
import { concatOof } from './oof.ts';
import { buildReport, formatEnsembleReport, type FoldPredictions } from './report.ts';
import { writeEnsemble } from './write.ts';

export type EnsembleParams = StageParams<'ensemble'>;

/** A fold's predictions, read and checked against the split each file must hold. */
async function readFold(work: string, round: Round, fold: number): Promise<FoldPredictions & { evalPath: string }> {
  const paths = workLayout.fold(work, round, fold);
  const spec = foldArtifacts(round, fold).predictions;
  const read = async (split: 'oof' | 'eval'): Promise<Predictions> => {
    const p = await readArtifact(spec, paths[split]);
    if (p.split !== split) {
      throw new EnsembleError(`${paths[split]} holds ${p.split} predictions, expected ${split}: retrain fold ${fold} (\`nx run ${spec.producedBy}\`)`);
    }
    return p;
  };
  return { fold, oof: await read('oof'), eval: await read('eval'), evalPath: paths.eval };
}

export interface EnsembleRunResult {
  dir: string;
  eval: Predictions;
  oof: Predictions;
  report: EnsembleReport;
  /** One screen of text describing the report. */
  summary: string;
}

/**
 * Stage 3 of a round: reads the out-of-fold and eval predictions of the folds the config trains
 * (never other fold folders an earlier run left behind), combines the eval predictions
 * (ensemble.method / weights, rows in the eval list's info.csv order), joins the out-of-fold ones
 * and scores them, and writes `<work>/ensemble/round<r>/` as one unit.
 */
export async function runEnsemble(params: EnsembleParams, ctx: { work: string; round: Round }): Promise<EnsembleRunResult> {
  const { work, round } = ctx;
  if (params.folds.length === 0) throw new ArtifactError('the config trains no folds (train.folds is empty)');
  const folds: (FoldPredictions & { evalPath: string })[] = [];
  for (const fold of params.folds) folds.push(await readFold(work, round, fold));

  const { method, weights } = params.ensemble;
  if (weights !== null && weights.length !== folds.length) {
    throw new EnsembleError(
      `config.ensemble.weights has ${weights.length} values but round ${round} has ${folds.length} folds ` +
        `(${folds.map((f) => `fold-${f.fold}`).join(', ')}): give one weight per fold, or null for equal weights`,
    );
  }

  // The photos every fold predicted, in info.csv order, as preprocess listed them.
  const evalIds = (await readEvalList(work)).images.map((e) => e.ImageID);
  const problems = folds
    .map((f) => describeIdMismatch(`fold-${f.fold} eval predictions (${f.evalPath})`, diffIds(f.eval.ids, evalIds), `retrain that fold (\`nx run ${foldArtifacts(round, f.fold).predictions.producedBy}\`); they do not match preprocess's eval list`))
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

  const dir = await writeEnsemble(work, round, { eval: ev, oof, report, summary });
  return { dir, eval: ev, oof, report, summary };
}
