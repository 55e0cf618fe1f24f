/**
 * Bad input handling. With onBadInput "error" the first problem stops the run with a message that
 * names the file and the fix; with "skip" a training input's problem becomes a warning and a line in
 * the summary. Eval inputs are never skipped: the submission needs a prediction for every info.csv
 * row, so leaving one out would fail only at ensemble or submit, hours later. In "skip" mode they
 * are collected and the run stops once every eval input has been checked, listing them all.
 */

export class PreprocessError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.name = 'PreprocessError';
    this.file = file;
  }
}

export interface SkippedInput {
  /** The file or folder concerned (relative to the data root when the Issues were given it: see `portable`). */
  path: string;
  reason: string;
}

export type OnBadInput = 'error' | 'skip';

const SKIP_HINT = 'or set preprocess.onBadInput to "skip" to leave it out';

/** Eval problems listed in full in the error; the log has every one. */
const EVAL_LIST_MAX = 20;

export class Issues {
  readonly skipped: SkippedInput[] = [];
  readonly warnings: string[] = [];
  readonly evalProblems: { path: string; problem: string; fix: string }[] = [];

  /**
   * `portable` rewrites what is recorded (skipped paths and reasons, warnings) for the summary
   * artifact, which is part of later tasks' Nx keys and restored as-is on machines where the data
   * root lies elsewhere: files named relative to the root. The log keeps the paths as they are here.
   */
  constructor(
    readonly mode: OnBadInput,
    private readonly log: (line: string) => void = () => {},
    private readonly portable: (text: string) => string = (text) => text,
  ) {}

  /**
   * A problem with one input. `fix` says what the user should do; in skip mode the input is
   * left out and the caller goes on.
   */
  bad(path: string, problem: string, fix: string): void {
    if (this.mode === 'error') throw new PreprocessError(path, `${path}: ${problem}. Fix: ${fix}, ${SKIP_HINT}.`);
    this.skipped.push({ path: this.portable(path), reason: this.portable(problem) });
    this.log(`warning: skipped ${path}: ${problem}`);
  }

  /** A problem with an eval input (info.csv row or eval photo): in "skip" mode collected for `stopOnEvalProblems`. */
  badEval(path: string, problem: string, fix: string): void {
    if (this.mode === 'error') throw new PreprocessError(path, `${path}: ${problem}. Fix: ${fix}.`);
    this.evalProblems.push({ path, problem, fix });
    this.log(`error: ${path}: ${problem}`);
  }

  /** Throws one error listing the eval problems collected so far (with their fixes), if any. */
  stopOnEvalProblems(infoCsv: string): void {
    const n = this.evalProblems.length;
    if (n === 0) return;
    const lines = [
      `${infoCsv}: ${n} eval input${n === 1 ? '' : 's'} cannot be used, and a submission needs a prediction for every info.csv row (onBadInput "skip" leaves out training inputs only). Fix each:`,
      ...this.evalProblems.slice(0, EVAL_LIST_MAX).map((p) => `  ${p.path}: ${p.problem}. Fix: ${p.fix}.`),
    ];
    if (n > EVAL_LIST_MAX) lines.push(`  ... and ${n - EVAL_LIST_MAX} more (each logged above as "error: ...")`);
    throw new PreprocessError(infoCsv, lines.join('\n'));
  }

  /** Something worth telling that never stops the run. */
  warn(message: string): void {
    this.warnings.push(this.portable(message));
    this.log(`warning: ${message}`);
  }
}

/** A problem no skipping can get around (unreadable CSV, wrong header, missing folder). */
export function fatal(path: string, problem: string, fix: string): never {
  throw new PreprocessError(path, `${path}: ${problem}. Fix: ${fix}.`);
}
