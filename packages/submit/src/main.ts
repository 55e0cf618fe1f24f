import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadStageInput, roundOption, runIfEntryPoint, stageCommand, targets, workLayout, writeRunRecord, scoreSubmission, type Round, type StageCliOptions } from '@facemask/contracts';
import { runSubmit } from './run.ts';
import { validateSubmission } from './validate.ts';

/** Failed validation: the problems are already printed; the process exits with this code. */
export class ValidationFailed extends Error {
  constructor(readonly problems: string[]) {
    super(`submission is invalid (${problems.length} problems)`);
    this.name = 'ValidationFailed';
  }
}

export function buildCli(): Command {
  const program = new Command('submit').description('Write, validate and score submission.csv (ImageID,ans in eval/info.csv order).').exitOverride();
  program.addCommand(
    stageCommand('submit')
      .name('write')
      .description('write <work>/submission/submission.csv from the last ensemble round (the Nx target submit:run)')
      .option('--round <n>', 'ensemble round to submit (default: 2 when pseudo-labelling is enabled, else 1)', roundOption)
      .action(async (o: StageCliOptions & { round?: Round }) => {
        const started = Date.now();
        const { params, work, paramsHash } = await loadStageInput('submit', o);
        const r = await runSubmit(params, { work, ...(o.round === undefined ? {} : { round: o.round }) });
        await writeRunRecord(workLayout.submission(work).run, { target: targets.submit, started, backend: null, paramsHash });
        console.log(`wrote ${r.rows} rows from the round-${r.round} ensemble; per class 0..17: ${r.counts.join(' ')}`);
        if (r.score) console.log(`eval labels ${params.evalLabels}: macro F1 ${r.score.macroF1.toFixed(4)}  accuracy ${r.score.accuracy.toFixed(4)}`);
        // Last line, for scripts that run the stage alone (the pipeline finds the file through workLayout).
        console.log(`submission: ${resolve(r.path)}`);
      }),
  );
  program
    .command('validate')
    .description('check a submission against eval/info.csv; exit code 1 lists the problems')
    .requiredOption('--submission <file>', 'submission.csv to check')
    .requiredOption('--info <file>', 'eval/info.csv')
    .exitOverride()
    .action(async (opts: { submission: string; info: string }) => {
      const r = await validateSubmission(opts.submission, opts.info);
      if (r.ok) {
        console.log(`${opts.submission}: valid`);
        return;
      }
      console.error(`${opts.submission} is not a valid submission:`);
      for (const p of r.problems) console.error(`  - ${p}`);
      throw new ValidationFailed(r.problems);
    });
  program
    .command('score')
    .description('macro F1 and accuracy of a submission against an ImageID,ans labels file')
    .requiredOption('--submission <file>', 'submission.csv to score')
    .requiredOption('--labels <file>', 'true labels, ImageID,ans (e.g. eval_labels.csv)')
    .exitOverride()
    .action(async (opts: { submission: string; labels: string }) => {
      const s = await scoreSubmission(opts.submission, opts.labels);
      console.log(`n ${s.n}  macro F1 ${s.macroF1.toFixed(4)}  accuracy ${s.accuracy.toFixed(4)}`);
    });
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  await buildCli().parseAsync([...argv], { from: 'user' });
}

runIfEntryPoint(import.meta.url, async (argv) => {
  try {
    await main(argv);
  } catch (err) {
    // the problems are already printed
    if (err instanceof ValidationFailed) return 1;
    throw err;
  }
});
