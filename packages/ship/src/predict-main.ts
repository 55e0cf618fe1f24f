#!/usr/bin/env node
/**
 * `pnpm predict --model DIR [--format text|csv|jsonl] [--out FILE] <photo|folder>...`: one line per
 * photo on stdout (or in FILE); unreadable photos on stderr. Exit code 0 when every photo was
 * answered from clean data, 1 when any could not be read, was corrupt (answered and flagged) or a
 * path does not exist, 2 for a usage error (bad options, no photos at all).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { stat } from 'node:fs/promises';
import { backendOptionArgs, createProgress, runIfEntryPoint, writeFileAtomic } from '@facemask/contracts';
import { selectBackend } from '@facemask/engine';
import { disposeEnsemble, loadModelFolder } from './folder.ts';
import type { FaceFinder } from './crop.ts';
import { createNodeFaceFinder } from './face-crop-node.ts';
import { formatter, OUTPUT_FORMATS, type OutputFormat } from './format.ts';
import { listPhotos } from './inputs.ts';
import { predictFiles } from './predict.ts';

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`must be a whole number >= 1, got "${v}"`);
  return n;
}

export interface PredictCliOptions {
  model: string;
  format: OutputFormat;
  batchSize: number;
  backend?: string;
  quiet?: boolean;
  out?: string;
}

/** Exit codes, as the ship README documents them. */
export const EXIT = { answered: 0, unreadable: 1, usage: 2 } as const;

const toStdout = (line: string) => void process.stdout.write(line + '\n');

export async function main(argv: string[], out: (line: string) => void = toStdout, err: (line: string) => void = (l) => console.error(l)): Promise<number> {
  const program = new Command('predict')
    .description('classify photos with an exported model folder: mask state, gender and age band')
    .requiredOption('--model <dir>', 'a model folder written by `pnpm export`')
    .addOption(new Option('--format <format>', 'output: one text line, a CSV row or a JSON line per photo').choices(OUTPUT_FORMATS).default('text'))
    .option('--batch-size <n>', 'photos per batch', positive, 16)
    .option(...backendOptionArgs('beats TFJS_BACKEND'))
    .option('--quiet', 'no progress bar or closing summary')
    .option('--out <file>', 'write the answers to FILE (whole or not at all) instead of stdout')
    .argument('<photos...>', 'photo files and folders of photos (searched recursively)')
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    // commander has printed its message; --help and --version are no error.
    const code = (e as { code?: string }).code;
    return code === 'commander.helpDisplayed' || code === 'commander.version' ? EXIT.answered : EXIT.usage;
  }
  const o = program.opts<PredictCliOptions>();
  const started = Date.now();
  try {
    if (o.out !== undefined && (await stat(o.out).then((st) => st.isDirectory(), () => false))) {
      err(`predict: --out ${o.out} is a folder: name the file to write the answers to`);
      return EXIT.usage;
    }
    const photos = await listPhotos(program.args);
    for (const m of photos.missing) err(`predict: ${m}: no such file or folder`);
    if (photos.files.length === 0 && photos.missing.length === 0) {
      err(`predict: no photos in ${program.args.join(', ')} (looked for .jpg, .jpeg and .png, folders searched recursively): name photo files or folders that hold them`);
      return EXIT.usage;
    }
    await selectBackend({ prefer: o.backend, log: o.quiet ? () => {} : err });
    const ens = await loadModelFolder(o.model);
    let faces: FaceFinder | null = null;
    try {
      faces = ens.manifest.crop.kind === 'face' ? await createNodeFaceFinder(o.model, ens.manifest.crop) : null;
      // With --out the answers are kept until the end so the file is never half-written.
      const kept: string[] = [];
      const emit = o.out === undefined ? out : (line: string) => void kept.push(line);
      const f = formatter(o.format);
      if (f.header !== null) emit(f.header);
      // Lines scrolling on the terminal show the progress themselves; a bar redrawn between them would garble both.
      const linesOnTerminal = o.out === undefined && out === toStdout && process.stdout.isTTY === true;
      const progress = createProgress({ label: 'predict', total: photos.files.length, unit: 'img', quiet: o.quiet || linesOnTerminal });
      const s = await predictFiles(ens, photos.files, {
        batchSize: o.batchSize,
        faces,
        onResult: (r) => {
          if (r.corrupt !== null) err(`predict: ${r.path}: corrupt image data (${r.corrupt}): answered, but the answer may be wrong`);
          emit(f.line(r));
        },
        onFailure: (x) => err(`predict: cannot read ${x.path}: ${x.reason} (skipped)`),
        onBatch: (n) => progress.tick(n),
      });
      progress.stop();
      if (o.out !== undefined) await writeFileAtomic(o.out, kept.map((l) => l + '\n').join(''));
      const failed = s.failed + photos.missing.length;
      if (!o.quiet) {
        const parts = [`${s.predicted} photo${s.predicted === 1 ? '' : 's'} predicted`];
        if (s.corrupt) parts.push(`${s.corrupt} of them from corrupt data (flagged)`);
        if (failed) parts.push(`${failed} could not be read (listed above)`);
        if (faces) parts.push(`${s.fallbacks} without a face found (centre crop)`);
        if (photos.ignored) parts.push(`${photos.ignored} non-photo file${photos.ignored === 1 ? '' : 's'} in the folders ignored`);
        const to = o.out === undefined ? '' : `, answers in ${o.out}`;
        err(`predict: ${parts.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s${to}`);
      }
      return failed > 0 || s.corrupt > 0 ? EXIT.unreadable : EXIT.answered;
    } finally {
      faces?.dispose();
      disposeEnsemble(ens);
    }
  } catch (e) {
    err(`predict: ${(e as Error).message}`);
    return EXIT.unreadable;
  }
}

runIfEntryPoint(import.meta.url, (argv) => {
  // `pnpm predict ... | head`: the reader has what it wanted; stop without a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  return main(argv);
});
