import { copyFile, link, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { FOLD_FILES, readEpochLog, sha256OfFile, sweepLeftovers, writeDirAtomic, writeFileAtomic, type EpochRecord } from '@facemask/contracts';
import { readSafetensors, saveModel, serializeSafetensors, tensorF32, type SafetensorsFile, type TensorToWrite } from '@facemask/engine';
import { writeEpochLog } from './epoch-log.ts';
import type { OptimizerState, TorchOptimizer } from './optim/index.ts';
import { checkSavedModel, type SavedModelCheck } from './saved-model-check.ts';

/**
 * A fold's "last" checkpoint: the model after its last complete epoch, the optimiser state and
 * the run state. Written as one folder swapped in atomically, so a kill at any point leaves the
 * previous epoch's checkpoint whole, and a restarted run continues from it bit for bit. The run
 * state records the sha256 of every file beside it, so a checkpoint changed on disk since (a
 * same-size overwrite passes every shape check) is never resumed; the checkpoint before it is
 * kept in previous/ to fall back to.
 */
export const runStateSchema = z.object({
  /** Hash of everything that shapes the run: config sections, upstream artifacts, fold, round. */
  runKey: z.string(),
  /** Last complete epoch (0-based). */
  epoch: z.number().int().min(0),
  bestMacroF1: z.number(),
  bestEpoch: z.number().int().min(-1),
});
export type RunState = z.infer<typeof runStateSchema>;

/** state.json: the run state and the digests of the checkpoint's files (absent: written before digests). */
const stateFileSchema = runStateSchema.extend({ files: z.record(z.string(), z.string()).optional() });

/** The checkpoint before last/, kept while the fold trains (a fold that finished removes it). */
export const PREVIOUS_CHECKPOINT = 'previous';

const STATE_FILE = 'state.json';

/** Every file under `dir` (relative, '/'-separated), state.json aside. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .filter((f) => f !== STATE_FILE)
    .sort();
}

export async function saveCheckpoint(dir: string, model: LayersModel, optimizer: TorchOptimizer, state: RunState): Promise<void> {
  const opt = optimizer.getState();
  await writeDirAtomic(dir, async (tmp) => {
    await saveModel(model, join(tmp, 'model'));
    await writeFileAtomic(join(tmp, 'optimizer.safetensors'), serializeOptimizer(opt));
    const files: Record<string, string> = {};
    for (const f of await filesUnder(tmp)) files[f] = await sha256OfFile(join(tmp, f));
    await writeFileAtomic(join(tmp, STATE_FILE), JSON.stringify({ ...runStateSchema.parse(state), files }, null, 2) + '\n');
  });
}

/** Why the files of checkpoint `dir` are not the ones its state.json recorded, or null when they are. */
async function digestProblem(dir: string): Promise<string | null> {
  const saved = stateFileSchema.parse(JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')));
  if (!saved.files) return 'records no digests of its files (written by an older version)';
  for (const [f, sha] of Object.entries(saved.files)) {
    const now = await sha256OfFile(join(dir, f)).catch(() => 'gone');
    if (now !== sha) return `is corrupt (${f} ${now === 'gone' ? 'is gone' : 'does not have the sha256 recorded when it was saved: changed on disk since'})`;
  }
  return null;
}

/**
 * previous/ becomes what last/ is now, by hard links (the checkpoint's files are only ever
 * replaced, never written in place): no copy of the weights per epoch.
 */
async function keepAsPrevious(lastDir: string, prevDir: string): Promise<void> {
  let files: string[];
  try {
    files = [STATE_FILE, ...(await filesUnder(lastDir))];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await writeDirAtomic(prevDir, async (tmp) => {
    for (const f of files) {
      await mkdir(dirname(join(tmp, f)), { recursive: true });
      await link(join(lastDir, f), join(tmp, f)).catch(() => copyFile(join(lastDir, f), join(tmp, f)));
    }
  });
}

/** The run state of a checkpoint folder; null when there is none. */
export async function readRunState(dir: string): Promise<RunState | null> {
  let text: string;
  try {
    text = await readFile(join(dir, 'state.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return runStateSchema.parse(stateFileSchema.parse(JSON.parse(text)));
}

/**
 * Restores a checkpoint's weights into `model` and its state into `optimizer`, once every part of
 * it has been read and checked; otherwise changes nothing and says what is wrong with it.
 */
export async function loadCheckpoint(dir: string, model: LayersModel, optimizer: TorchOptimizer): Promise<{ problem: string } | null> {
  const check = await checkSavedModel(join(dir, 'model'), model, 'model/');
  if (!check.ok) return { problem: check.problem };
  try {
    const file = join(dir, 'optimizer.safetensors');
    let state: OptimizerState;
    try {
      state = deserializeOptimizer(await readSafetensors(file), optimizer.getState());
    } catch (err) {
      return { problem: `is unreadable (optimizer.safetensors: ${(err as Error).message})` };
    }
    // After the structural checks, whose words say more; before anything is restored.
    const corrupt = await digestProblem(dir).catch((err: Error) => `is unreadable (${STATE_FILE}: ${err.message})`);
    if (corrupt) return { problem: corrupt };
    model.setWeights(check.saved.getWeights());
    optimizer.setState(state);
    return null;
  } finally {
    check.saved.dispose();
  }
}

function serializeOptimizer(s: OptimizerState): Uint8Array {
  const tensors: Record<string, TensorToWrite> = {};
  s.params.forEach((p, i) => {
    for (const [name, buf] of Object.entries(p.buffers)) tensors[`${i}.${name}`] = { dtype: 'F32', shape: p.shape, data: buf };
  });
  const meta = { kind: s.kind, lr: String(s.lr), step: String(s.step), params: JSON.stringify(s.params.map((p) => ({ name: p.name, step: p.step }))) };
  return serializeSafetensors(tensors, meta);
}

function deserializeOptimizer(file: SafetensorsFile, template: OptimizerState): OptimizerState {
  const byIndex = new Map<number, Record<string, Float32Array>>();
  for (const [key, t] of file.tensors) {
    const dot = key.indexOf('.');
    const i = Number(key.slice(0, dot));
    const rec = byIndex.get(i) ?? {};
    rec[key.slice(dot + 1)] = tensorF32(t);
    byIndex.set(i, rec);
  }
  const meta = file.metadata;
  const steps = JSON.parse(meta.params ?? 'null') as { name: string; step: number }[] | null;
  if (!steps || meta.kind === undefined || meta.step === undefined || meta.lr === undefined || steps.length !== template.params.length) {
    throw new Error(`it holds another optimiser's state (${steps?.length ?? 'no'} parameters, this one ${template.params.length})`);
  }
  return {
    kind: meta.kind as OptimizerState['kind'],
    lr: Number(meta.lr),
    step: Number(meta.step),
    // Adam's bias correction depends on each parameter's own step count.
    params: template.params.map((p, i) => ({ ...p, step: steps[i]!.step, buffers: byIndex.get(i) ?? {} })),
  };
}

/** Where a fold's training keeps its progress: the last checkpoint, the best model, the epoch log. */
export interface FoldStore {
  /** The checkpoint folder named in messages. */
  lastDir: string;
  /**
   * Restores the last checkpoint into model and optimizer when it belongs to `runKey` and is
   * whole (and so is the best model); otherwise clears the fold's progress and says why in one
   * line (reason null: there was nothing to resume).
   */
  resume(
    runKey: string,
    model: LayersModel,
    optimizer: TorchOptimizer,
  ): Promise<{ kind: 'resumed'; state: RunState; history: EpochRecord[]; from: string } | { kind: 'fresh'; reason: string | null }>;
  /** Loads the best model's weights into `model` (or, see foldStore, into the whole classifier). */
  restoreBest(model: LayersModel): Promise<void>;
  /** Training is over: the previous checkpoint, kept to resume from, is removed. */
  complete(): Promise<void>;
  /** After an epoch: the best model when it improved, the epoch log, then the checkpoint. */
  saveEpoch(e: { state: RunState; history: EpochRecord[]; model: LayersModel; optimizer: TorchOptimizer; improved: boolean; fold: number; round: number }): Promise<void>;
}

/**
 * `whole`: in features mode, the whole classifier whose head `model` is; a finished fold keeps it
 * in best/ (fold.ts), which a rerun of the finished fold must accept.
 */
export function foldStore(dir: string, opts: { whole?: LayersModel } = {}): FoldStore {
  const lastDir = join(dir, FOLD_FILES.last);
  const prevDir = join(dir, PREVIOUS_CHECKPOINT);
  const bestDir = join(dir, FOLD_FILES.best);
  const metrics = join(dir, FOLD_FILES.metrics);
  const checkBest = async (model: LayersModel): Promise<SavedModelCheck & { into?: LayersModel }> => {
    const head = await checkSavedModel(bestDir, model);
    if (head.ok || !opts.whole) return head;
    const whole = await checkSavedModel(bestDir, opts.whole);
    return whole.ok ? { ...whole, into: opts.whole } : head;
  };
  return {
    lastDir,
    async restoreBest(model) {
      const best = await checkBest(model);
      if (!best.ok) throw new Error(`the best model in ${bestDir} ${best.problem}: delete ${dir} and train the fold again`);
      try {
        (best.into ?? model).setWeights(best.saved.getWeights());
      } finally {
        best.saved.dispose();
      }
    },
    async resume(runKey, model, optimizer) {
      // A kill between the two renames of a checkpoint swap leaves last/ moved aside: put the
      // complete new one in place (and clear dead writers' temporaries) before reading.
      await sweepLeftovers(dir);
      // The newest checkpoint that verifies; one that does not is deleted, so no rerun meets it again.
      const reasons: string[] = [];
      for (const from of [lastDir, prevDir]) {
        const saved = await readRunState(from).catch((err: Error) => {
          reasons.push(`the checkpoint in ${from} is unreadable (state.json: ${err.message})`);
          return null;
        });
        if (saved && saved.runKey !== runKey) reasons.push(`the checkpoint in ${from} is for another config, data or engine`);
        if (!saved || saved.runKey !== runKey) continue;
        // A best model is checked before anything is restored: the fold ends by loading it.
        const best = saved.bestEpoch >= 0 ? await checkBest(model) : null;
        if (best?.ok) best.saved.dispose();
        if (best && !best.ok) {
          // Both checkpoints share the one best model: neither can finish the fold.
          reasons.push(`the checkpoint in ${bestDir} ${best.problem}`);
          break;
        }
        const broken = await loadCheckpoint(from, model, optimizer);
        if (broken) {
          reasons.push(`the checkpoint in ${from} ${broken.problem}`);
          await rm(from, { recursive: true, force: true });
          continue;
        }
        const history = (await readEpochLog(metrics)).filter((r) => r.epoch <= saved.epoch);
        return { kind: 'resumed', state: saved, history, from: reasons.length > 0 ? `${from}, the one before: ${reasons.join('; ')}` : from };
      }
      await rm(lastDir, { recursive: true, force: true });
      await rm(prevDir, { recursive: true, force: true });
      await rm(bestDir, { recursive: true, force: true });
      await writeEpochLog(metrics, []);
      return { kind: 'fresh', reason: reasons.length > 0 ? reasons.join('; ') : null };
    },
    async saveEpoch({ state, history, model, optimizer, improved, fold, round }) {
      if (improved) await saveModel(model, bestDir, { metadata: { epoch: state.epoch, macroF1: state.bestMacroF1, fold, round } });
      await writeEpochLog(metrics, history);
      // Kept before last/ is replaced: a kill (or damage) anywhere leaves one checkpoint that verifies.
      await keepAsPrevious(lastDir, prevDir);
      await saveCheckpoint(lastDir, model, optimizer, state);
    },
    async complete() {
      await rm(prevDir, { recursive: true, force: true });
    },
  };
}
