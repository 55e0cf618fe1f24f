import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSynthArgs, SynthArgError, SynthHelp } from './args.ts';
import { runSynthCommand } from './command.ts';
import { validateLayout } from './layout.ts';
import { tempDir } from './test-utils/small.ts';

function argError(argv: string[]): string {
  try {
    parseSynthArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(SynthArgError);
    return (err as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('parseSynthArgs', () => {
  it('reads the options, with the spec defaults', () => {
    const o = parseSynthArgs(['--out', 'x', '--people', '12', '--seed', '3']);
    expect(o).toMatchObject({ out: 'x', people: 12, seed: 3, width: 384, height: 512, evalFraction: 0.4, cues: 'subtle', quality: 90, overwrite: false });
    expect(parseSynthArgs(['--out', 'x', '--cues', 'clear']).cues).toBe('clear');
    expect(parseSynthArgs(['--', '--out', 'y', '--eval-fraction', '0.25', '--width', '96', '--height', '128', '--quality', '70', '--overwrite'])).toMatchObject({
      out: 'y', evalFraction: 0.25, width: 96, height: 128, quality: 70, overwrite: true,
    });
  });

  it('explains each bad argument', () => {
    expect(argError([])).toMatch(/missing --out DIR/);
    expect(argError(['--out', 'x', '--people', 'abc'])).toBe('--people must be an integer in 1..999999, got "abc"');
    expect(argError(['--out', 'x', '--people', '0'])).toMatch(/--people must be an integer in 1\.\.999999, got "0"/);
    expect(argError(['--out', 'x', '--people', '2.5'])).toMatch(/--people/);
    expect(argError(['--out', 'x', '--seed', 'x1'])).toMatch(/--seed must be an integer/);
    expect(argError(['--out', 'x', '--eval-fraction', '1.5'])).toMatch(/--eval-fraction must be a number in \[0, 1\), got "1.5"/);
    expect(argError(['--out', 'x', '--width', '8'])).toMatch(/--width must be an integer in 16\.\.4096/);
    expect(argError(['--out', 'x', '--quality', '101'])).toMatch(/--quality/);
    expect(argError(['--out', 'x', '--cues', 'loud'])).toMatch(/--cues.*'loud' is invalid.*clear, subtle/);
    expect(argError(['--out', 'x', '--peple', '3'])).toBe("unknown option '--peple' (Did you mean --people?) (run synth --help for the options)");
    expect(argError(['--out'])).toMatch(/--out <dir>.*argument missing/);
    expect(argError(['--out', 'x', 'extra'])).toMatch(/too many arguments|unexpected/);
  });

  it('shows help', () => {
    expect(() => parseSynthArgs(['--help'])).toThrow(SynthHelp);
    try {
      parseSynthArgs(['--help']);
    } catch (err) {
      expect((err as SynthHelp).text).toMatch(/--eval-fraction/);
    }
  });
});

describe('runSynthCommand', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir('cli');
  });
  afterAll(() => dir.cleanup());

  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
  };

  it('exits 2 with a clear message on bad arguments', async () => {
    const c = capture();
    expect(await runSynthCommand(['--out', join(dir.path, 'x'), '--people', '-3'], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/^synth: --people must be an integer/);
    expect(c.out).toEqual([]);
  });

  it('writes a valid data set and prints a one-screen summary', async () => {
    const c = capture();
    const out = join(dir.path, 'ds');
    const code = await runSynthCommand(['--out', out, '--people', '4', '--seed', '9', '--width', '64', '--height', '80', '--quiet'], c.io);
    expect(c.err).toEqual([]);
    expect(code).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/people\s+4\s+\(train 2, eval 2\)/);
    expect(text).toMatch(/photos\s+28\s+\(train 14, eval 14\)/);
    expect(text).toMatch(/17 not_wear\/female\/60\+/);
    expect(text).toMatch(/took \d+\.\d s/);
    expect(text.split('\n').length).toBeLessThanOrEqual(30);
    expect((await validateLayout(out)).train.people).toBe(2);
  });

  it('exits 1 naming the folder when --out is taken', async () => {
    const c = capture();
    const taken = join(dir.path, 'taken');
    await mkdir(taken);
    await writeFile(join(taken, 'keep.txt'), 'mine');
    expect(await runSynthCommand(['--out', taken, '--people', '1', '--quiet'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/is not empty and was not written by synth: pass --overwrite/);
  });
});
