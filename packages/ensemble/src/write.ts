import { ensembleArtifacts, ENSEMBLE_FILES, inDir, workLayout, writeArtifact, writeDirAtomic, writeFileAtomic, type EnsembleReport, type Predictions, type Round } from '@facemask/contracts';

/**
 * Writes `<work>/ensemble/round<r>/`. The round's files are swapped in together, so eval.json
 * never pairs with a stale report.json. Returns the folder.
 */
export async function writeEnsemble(work: string, round: Round, r: { eval: Predictions; oof: Predictions; report: EnsembleReport; summary: string }): Promise<string> {
  const dir = workLayout.ensemble(work, round).dir;
  const specs = ensembleArtifacts(round);
  await writeDirAtomic(dir, async (tmp) => {
    const out = inDir(tmp, ENSEMBLE_FILES);
    await writeArtifact(specs.eval, out.eval, r.eval);
    await writeArtifact(specs.oof, out.oof, r.oof);
    await writeArtifact(specs.report, out.report, r.report);
    await writeFileAtomic(out.summaryText, r.summary + '\n');
  });
  return dir;
}
