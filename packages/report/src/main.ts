#!/usr/bin/env node
/**
 * The report stage's Nx target: `nx run report:run`. Reads every artifact of the run under
 * data.work and writes `<work>/report/index.html` with its thumbnails.
 */
import { resolve } from 'node:path';
import { loadStageInput, runIfEntryPoint, stageCommand, targets, workLayout, writeRunRecord, type StageCliOptions } from '@facemask/contracts';
import { runReport } from './run.ts';

export function buildCli() {
  return stageCommand('report').action(async (o: StageCliOptions) => {
    const started = Date.now();
    const { params, work, paramsHash } = await loadStageInput('report', o);
    const r = await runReport(params, { work });
    await writeRunRecord(workLayout.report(work).run, { target: targets.report, started, backend: null, paramsHash });
    // As every stage prints its summary: --quiet drops progress and log lines only.
    console.log(r.summary);
    // Last line, for scripts that run the stage alone (the pipeline finds the page through workLayout).
    console.log(`report: ${resolve(r.paths.index)}`);
  });
}

export async function main(argv: readonly string[]): Promise<void> {
  await buildCli().parseAsync([...argv], { from: 'user' });
}

runIfEntryPoint(import.meta.url, main);
