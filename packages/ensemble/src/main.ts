import { loadStageInput, roundOption, runIfEntryPoint, stageCommand, targets, workLayout, writeRunRecord, type Round, type StageCliOptions } from '@facemask/contracts';
import { runEnsemble } from './run.ts';

/** The ensemble stage's Nx target: `nx run ensemble:round1` (or round2). */
export function buildCli() {
  return stageCommand('ensemble')
    .requiredOption('--round <n>', 'training round to combine: 1 or 2', roundOption)
    .action(async (o: StageCliOptions & { round: Round }) => {
      const started = Date.now();
      const { params, work, paramsHash } = await loadStageInput('ensemble', o);
      const result = await runEnsemble(params, { work, round: o.round });
      await writeRunRecord(workLayout.ensemble(work, o.round).run, { target: targets.ensemble(o.round), started, backend: null, paramsHash });
      console.log(result.summary);
      console.log(`ensemble: ${result.dir}`);
    });
}

export async function main(argv: readonly string[]): Promise<void> {
  await buildCli().parseAsync([...argv], { from: 'user' });
}

runIfEntryPoint(import.meta.url, main);
