#!/usr/bin/env node
/**
 * The `train:features` Nx target of train.mode "features": the frozen backbone's pooled features
 * of every cached photo, computed once before the folds (which depend on it) and written to
 * `<work>/train/features/`.
 */
import { backendOptionArgs, loadStageInput, runIfEntryPoint, shownPath, stageCommand, targets, workLayout, writeRunRecord, WORKSPACE_ROOT, type StageCliOptions } from '@facemask/contracts';
import { backendLine, selectBackend } from '@facemask/engine';
import { runFeatures } from './features-run.ts';

export async function main(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const program = stageCommand('features').option(...backendOptionArgs('beats TFJS_BACKEND, which beats the config'));
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const o = program.opts<StageCliOptions & { backend?: string }>();
  try {
    const started = Date.now();
    const { params, work, paramsHash } = await loadStageInput('features', o);
    const engine = await selectBackend({ prefer: o.backend, configured: params.backend });
    const r = await runFeatures(params, { work, quiet: o.quiet ?? false });
    await writeRunRecord(workLayout.features(work).run, { target: targets.trainFeatures, started, backend: backendLine(engine), paramsHash });
    // The result, as every stage prints it: --quiet drops progress and log lines only.
    out(`features: ${r.count} photos x ${r.dim} (plain and mirrored) in ${shownPath(workLayout.features(work).dir, WORKSPACE_ROOT)}\n`);
    return 0;
  } catch (err) {
    console.error(`train features: ${(err as Error).message}`);
    return 1;
  }
}

runIfEntryPoint(import.meta.url, main);
