import { loadStageInput, runIfEntryPoint, shownPath, stageCommand, targets, workLayout, writeRunRecord, WORKSPACE_ROOT, type StageCliOptions } from '@facemask/contracts';
import { runPseudoLabel } from './run.ts';

/** The pseudo-label stage's Nx target: `nx run pseudo-label:run`. */
export function buildCli() {
  return stageCommand('pseudo-label').action(async (o: StageCliOptions) => {
    const started = Date.now();
    const { params, work, paramsHash } = await loadStageInput('pseudo-label', o);
    const result = await runPseudoLabel(params, { work });
    await writeRunRecord(workLayout.pseudoLabel(work).run, { target: targets.pseudoLabel, started, backend: null, paramsHash });
    console.log(result.summary);
    console.log(`  -> ${shownPath(result.path, WORKSPACE_ROOT)}`);
  });
}

export async function main(argv: readonly string[]): Promise<void> {
  await buildCli().parseAsync([...argv], { from: 'user' });
}

runIfEntryPoint(import.meta.url, main);
