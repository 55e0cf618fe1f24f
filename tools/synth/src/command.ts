import { parseSynthArgs, SynthArgError, SynthHelp } from './args.ts';
import { generateDataset } from './generate.ts';
import { validateLayout } from './layout.ts';
import { formatSummary } from './summary.ts';

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: CommandIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

/** The synth CLI; returns the exit code (0 ok, 1 failure, 2 bad arguments). */
export async function runSynthCommand(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  let options;
  try {
    options = parseSynthArgs(argv);
  } catch (err) {
    if (err instanceof SynthHelp) {
      io.out(err.text);
      return 0;
    }
    if (err instanceof SynthArgError) {
      io.err(`synth: ${err.message}`);
      return 2;
    }
    throw err;
  }
  try {
    const summary = await generateDataset(options);
    const report = await validateLayout(summary.out);
    io.out(formatSummary(summary, report));
    return 0;
  } catch (err) {
    io.err(`synth: ${(err as Error).message}`);
    return 1;
  }
}
