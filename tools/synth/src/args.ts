import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_SYNTH_OPTIONS, checkSynthOptions, type SynthOptions } from './generate.ts';
import { CUE_STRENGTHS, type CueStrength } from './person.ts';

export class SynthArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SynthArgError';
  }
}

/** Thrown for --help: the text to print, not an error. */
export class SynthHelp extends Error {
  constructor(readonly text: string) {
    super('help');
    this.name = 'SynthHelp';
  }
}

function integer(flag: string, min: number, max: number) {
  return (raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(v) || v < min || v > max) {
      throw new SynthArgError(`${flag} must be an integer in ${min}..${max}, got "${raw}"`);
    }
    return v;
  };
}

function fraction(flag: string) {
  return (raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v < 0 || v >= 1) throw new SynthArgError(`${flag} must be a number in [0, 1), got "${raw}"`);
    return v;
  };
}

export function synthCommand(): Command {
  const d = DEFAULT_SYNTH_OPTIONS;
  return new Command('synth')
    .description('Write a procedural face-mask data set in the competition layout (train/, eval/, eval_labels.csv).')
    .addOption(new Option('--out <dir>', 'folder to write (created if missing)'))
    .addOption(new Option('--people <n>', 'number of people (7 photos each)').argParser(integer('--people', 1, 999_999)).default(d.people))
    .addOption(new Option('--seed <s>', 'random seed').argParser(integer('--seed', -(2 ** 31), 2 ** 31 - 1)).default(d.seed))
    .addOption(new Option('--width <px>', 'photo width').argParser(integer('--width', 16, 4096)).default(d.width))
    .addOption(new Option('--height <px>', 'photo height').argParser(integer('--height', 16, 4096)).default(d.height))
    .addOption(new Option('--eval-fraction <f>', 'share of people whose photos go to eval/').argParser(fraction('--eval-fraction')).default(d.evalFraction))
    .addOption(new Option('--cues <kind>', 'how plainly faces show gender and age band: subtle (continuous, overlapping, like real faces) or clear (cues that switch on at 30 and 60; the demo\'s sample set)').choices(CUE_STRENGTHS).default(d.cues))
    .addOption(new Option('--quality <q>', 'JPEG quality').argParser(integer('--quality', 1, 100)).default(d.quality))
    .addOption(new Option('--concurrency <n>', 'photos rendered at once').argParser(integer('--concurrency', 1, 64)).default(d.concurrency))
    .addOption(new Option('--overwrite', 'replace train/, eval/ and eval_labels.csv in a non-empty --out not written by synth').default(false))
    .addOption(new Option('--quiet', 'no progress bar').default(false))
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
}

/** Parses CLI arguments (without node and script) into checked options; throws SynthArgError or SynthHelp. */
export function parseSynthArgs(argv: readonly string[]): SynthOptions {
  // `pnpm synth -- --out x` passes the separator through.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const cmd = synthCommand();
  try {
    cmd.parse(args, { from: 'user' });
  } catch (err) {
    if (err instanceof SynthArgError) throw err;
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') throw new SynthHelp(cmd.helpInformation());
      const cause = err.cause;
      if (cause instanceof SynthArgError) throw cause;
      throw new SynthArgError(`${err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (run synth --help for the options)`);
    }
    throw err;
  }
  const o = cmd.opts<{
    out?: string;
    people: number;
    seed: number;
    width: number;
    height: number;
    evalFraction: number;
    cues: CueStrength;
    quality: number;
    concurrency: number;
    overwrite: boolean;
    quiet: boolean;
  }>();
  if (!o.out) throw new SynthArgError('missing --out DIR: the folder to write the data set into (e.g. --out data/synth)');
  const options: SynthOptions = { ...o, out: o.out };
  try {
    checkSynthOptions(options);
  } catch (err) {
    throw new SynthArgError((err as Error).message);
  }
  return options;
}
