import { foldArtifacts, workLayout, writeArtifact, writeFileAtomic, type Round } from '@facemask/contracts';
import type { FoldOutcome } from './finish.ts';

/** Writes a completed fold's artifacts: its predictions, summary.json and summary.txt. */
export async function writeFoldOutcome(work: string, round: Round, fold: number, outcome: FoldOutcome, text: string): Promise<void> {
  const paths = workLayout.fold(work, round, fold);
  const specs = foldArtifacts(round, fold);
  await writeArtifact(specs.predictions, paths.oof, outcome.predictions.oof);
  await writeArtifact(specs.predictions, paths.eval, outcome.predictions.eval);
  await writeArtifact(specs.summary, paths.summary, outcome.summary);
  await writeFileAtomic(paths.summaryText, text + '\n');
}
