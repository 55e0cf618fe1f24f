/**
 * Bad input handling. With onBadInput "error" the first problem stops the run with a message that
 * names the file and the fix; with "skip" it becomes a warning and a line in the summary.
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
  /** The file or folder concerned (absolute path). */
  path: string;
  reason: string;
}

export type OnBadInput = 'error' | 'skip';

const SKIP_HINT = 'or set preprocess.onBadInput to "skip" to leave it out';

export class Issues {
  readonly skipped: SkippedInput[] = [];
  readonly warnings: string[] = [];

  constructor(
    readonly mode: OnBadInput,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /**
   * A problem with one input. `fix` says what the user should do; in skip mode the input is
   * left out and the caller goes on.
   */
  bad(path: string, problem: string, fix: string): void {
    if (this.mode === 'error') throw new PreprocessError(path, `${path}: ${problem}. Fix: ${fix}, ${SKIP_HINT}.`);
    this.skipped.push({ path, reason: problem });
    this.log(`warning: skipped ${path}: ${problem}`);
  }

  /** Something worth telling that never stops the run. */
  warn(message: string): void {
    this.warnings.push(message);
    this.log(`warning: ${message}`);
  }
}

/** A problem no skipping can get around (unreadable CSV, wrong header, missing folder). */
export function fatal(path: string, problem: string, fix: string): never {
  throw new PreprocessError(path, `${path}: ${problem}. Fix: ${fix}.`);
}
