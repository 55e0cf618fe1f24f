import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { FOLD_FILES, readEpochLog, sweepLeftovers, writeDirAtomic, writeFileAtomic, type EpochRecord } from '@facemask/contracts';
import { readSafetensors, saveModel, serializeSafetensors, tensorF32, type SafetensorsFile, type TensorToWrite } from '@facemask/engine';
import { writeEpochLog } from './epoch-log.ts';
import type { OptimizerState, TorchOptimizer } from './optim/index.ts';
import { checkSavedModel, type SavedModelCheck } from './saved-model-check.ts';

/**
 * A fold's "last" checkpoint: the model after its last complete epoch, the optimiser state and
 * the run state. Written as one folder swapped in atomically, so a kill at any point leaves the
 * previous epoch's checkpoint whole, and a restarted run continues from it bit for bit.
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

export async function saveCheckpoint(dir: string, model: LayersModel, optimizer: TorchOptimizer, state: RunState): Promise<void> {
  const opt = optimizer.getState();
  await writeDirAtomic(dir, async (tmp) => {
    await saveModel(model, join(tmp, 'model'));
    await writeFileAtomic(join(tmp, 'optimizer.safetensors'), serializeOptimizer(opt));
    await writeFileAtomic(join(tmp, 'state.json'), JSON.stringify(runStateSchema.parse(state), null, 2) + '\n');
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
  return runStateSchema.parse(JSON.parse(text));
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
  /** After an epoch: the best model when it improved, the epoch log, then the checkpoint. */
  saveEpoch(e: { state: RunState; history: EpochRecord[]; model: LayersModel; optimizer: TorchOptimizer; improved: boolean; fold: number; round: number }): Promise<void>;
}

/**
 * `whole`: in features mode, the whole classifier whose head `model` is; a finished fold keeps it
 * in best/ (fold.ts), which a rerun of the finished fold must accept.
 */
export function foldStore(dir: string, opts: { whole?: LayersModel } = {}): FoldStore {
  const lastDir = join(dir, FOLD_FILES.last);
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
      let reason: string | null = null;
      const saved = await readRunState(lastDir).catch((err: Error) => {
        reason = `the checkpoint in ${lastDir} is unreadable (state.json: ${err.message})`;
        return null;
      });
      if (saved && saved.runKey === runKey) {
        // A best model is checked before anything is restored: the fold ends by loading it.
        const best = saved.bestEpoch >= 0 ? await checkBest(model) : null;
        if (best?.ok) best.saved.dispose();
        const broken = best && !best.ok ? { dir: bestDir, problem: best.problem } : await loadCheckpoint(lastDir, model, optimizer).then((r) => r && { dir: lastDir, problem: r.problem });
        if (!broken) {
          return { kind: 'resumed', state: saved, history: (await readEpochLog(metrics)).filter((r) => r.epoch <= saved.epoch), from: lastDir };
        }
        reason = `the checkpoint in ${broken.dir} ${broken.problem}`;
      } else if (saved) {
        reason = `the checkpoint in ${lastDir} is for another config, data or engine`;
      }
      await rm(lastDir, { recursive: true, force: true });
      await rm(bestDir, { recursive: true, force: true });
      await writeEpochLog(metrics, []);
      return { kind: 'fresh', reason };
    },
    async saveEpoch({ state, history, model, optimizer, improved, fold, round }) {
      if (improved) await saveModel(model, bestDir, { metadata: { epoch: state.epoch, macroF1: state.bestMacroF1, fold, round } });
      await writeEpochLog(metrics, history);
      await saveCheckpoint(lastDir, model, optimizer, state);
    },
  };
}
