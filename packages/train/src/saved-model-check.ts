import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadModel, MODEL_JSON } from '@facemask/engine';

/**
 * Whether a saved model folder can be restored into `model`, and if not, why, in words a user
 * can act on: truncated (how many bytes of how many), from another architecture (which weight
 * differs), or unreadable. Checked before anything is restored, so a bad checkpoint never leaves
 * a model half overwritten.
 */
export type SavedModelCheck = { ok: true; saved: LayersModel } | { ok: false; problem: string };

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** `label` names the folder inside the checkpoint in messages, e.g. "model/". */
export async function checkSavedModel(dir: string, model: LayersModel, label = ''): Promise<SavedModelCheck> {
  let json: { weightsManifest?: unknown };
  try {
    json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as { weightsManifest?: unknown };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, problem: e.code === 'ENOENT' ? `has no ${label}${MODEL_JSON}` : `is unreadable (${label}${MODEL_JSON}: ${e.message})` };
  }
  const manifest = json?.weightsManifest as tf.io.WeightsManifestConfig | undefined;
  if (!Array.isArray(manifest) || !manifest.every((g) => Array.isArray(g?.paths) && Array.isArray(g?.weights))) {
    return { ok: false, problem: `is unreadable (${label}${MODEL_JSON} has no weights manifest)` };
  }
  const specs = tf.io.getWeightSpecs(manifest);
  const expected = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * (BYTES[w.quantization?.dtype ?? w.dtype] ?? NaN), 0);
  const files = manifest.flatMap((g) => g.paths);
  let have = 0;
  for (const f of files) have += (await stat(join(dir, f)).catch(() => null))?.size ?? 0;
  const named = files.map((f) => `${label}${f}`).join(' + ');
  if (have < expected) return { ok: false, problem: `is truncated (${named} has ${have} of ${expected} bytes)` };
  if (have > expected) return { ok: false, problem: `is corrupt (${named} has ${have} bytes, ${label}${MODEL_JSON} describes ${expected})` };

  // Weights are restored by position (layer names carry tfjs's per-process counters).
  const mine = model.weights.map((w) => w.shape);
  if (specs.length !== mine.length) {
    return { ok: false, problem: `is from another architecture (it holds ${specs.length} weights, this model ${mine.length})` };
  }
  const i = specs.findIndex((s, k) => s.shape.join() !== mine[k]!.join());
  if (i >= 0) {
    return { ok: false, problem: `is from another architecture (weight ${i + 1}, ${specs[i]!.name}, is [${specs[i]!.shape.join(', ')}] there and [${mine[i]!.join(', ')}] in this model)` };
  }
  try {
    return { ok: true, saved: await loadModel(dir) };
  } catch (err) {
    return { ok: false, problem: `is unreadable (${(err as Error).message})` };
  }
}
