import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { FOLD_FILES, readEpochLog, writeDirAtomic, writeFileAtomic, type EpochRecord } from '@facemask/contracts';
import { loadModel, readSafetensors, saveModel, serializeSafetensors, tensorF32, type SafetensorsFile, type TensorToWrite } from '@facemask/engine';
import { writeEpochLog } from './epoch-log.ts';
import type { OptimizerState, TorchOptimizer } from './optim/index.ts';

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

/** Restores a checkpoint's weights into `model` and its state into `optimizer`. */
export async function loadCheckpoint(dir: string, model: LayersModel, optimizer: TorchOptimizer): Promise<void> {
  await restoreWeights(join(dir, 'model'), model);
  const file = join(dir, 'optimizer.safetensors');
  optimizer.setState(deserializeOptimizer(await readSafetensors(file), optimizer.getState(), file));
}

/** Copies the weights of a saved model folder into an identically built model. */
export async function restoreWeights(modelDir: string, model: LayersModel): Promise<void> {
  const saved = await loadModel(modelDir);
  try {
    const weights = saved.getWeights();
    if (weights.length !== model.weights.length) {
      throw new Error(`${modelDir}: saved model has ${weights.length} weights, this model ${model.weights.length}: it was built from another config`);
    }
    model.setWeights(weights);
  } finally {
    saved.dispose();
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

function deserializeOptimizer(file: SafetensorsFile, template: OptimizerState, source: string): OptimizerState {
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
    throw new Error(`${source} does not hold this optimiser's state: delete the fold's last/ folder to start over`);
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
   * Restores the last checkpoint into model and optimizer when it belongs to `runKey`; otherwise
   * clears the fold's progress and says why (reason null: there was nothing to resume).
   */
  resume(
    runKey: string,
    model: LayersModel,
    optimizer: TorchOptimizer,
  ): Promise<{ kind: 'resumed'; state: RunState; history: EpochRecord[]; from: string } | { kind: 'fresh'; reason: string | null }>;
  /** After an epoch: the best model when it improved, the epoch log, then the checkpoint. */
  saveEpoch(e: { state: RunState; history: EpochRecord[]; model: LayersModel; optimizer: TorchOptimizer; improved: boolean; fold: number; round: number }): Promise<void>;
}

export function foldStore(dir: string): FoldStore {
  const lastDir = join(dir, FOLD_FILES.last);
  const bestDir = join(dir, FOLD_FILES.best);
  const metrics = join(dir, FOLD_FILES.metrics);
  return {
    lastDir,
    async resume(runKey, model, optimizer) {
      let reason: string | null = null;
      const saved = await readRunState(lastDir).catch((err: Error) => {
        reason = `the checkpoint in ${lastDir} is unreadable (${err.message})`;
        return null;
      });
      if (saved && saved.runKey === runKey) {
        await loadCheckpoint(lastDir, model, optimizer);
        return { kind: 'resumed', state: saved, history: (await readEpochLog(metrics)).filter((r) => r.epoch <= saved.epoch), from: lastDir };
      }
      if (saved) reason = `the checkpoint in ${lastDir} is for another config, data or engine`;
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
