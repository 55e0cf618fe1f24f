import { createHash } from 'node:crypto';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  checkStoreEntry,
  featureStoreEntryArtifact,
  hashJson,
  inDir,
  linkOrCopy,
  publishDirOnce,
  shownPaths,
  workLayout,
  writeArtifact,
  FEATURE_STORE_FILES,
  WORKSPACE_ROOT,
  type FeatureStoreEntry,
} from '@facemask/contracts';
import type { EngineIdentity } from '@facemask/engine/probe';

/**
 * The shared feature store: one folder per key in workLayout.featureStores (`data/.cache/features`
 * for the runs of data/runs), holding a feature table train:features computed and its sha256.
 * Two configs in their own work folders with the same backbone (experiments on the head, the
 * folds, the loss) share one table: the second links it in instead of running the backbone over
 * every photo again (70 s on realfaces-dev with faceres, minutes at the competition's size).
 *
 * The key is what the table is a function of, and nothing else: the pixels the backbone reads
 * (each split's pixel store sha256, which also fixes the photos' order), the model as built and
 * loaded (its topology and every weight's bytes, so an edit to the model code or to a weight
 * loader keys anew without anyone remembering to bump a version), the feature parameters (the
 * input normalisation and size), the engine (its name, package versions and, on TensorFlow's C
 * library, its library and thread pools) and STORE_FORMAT for the extraction code itself.
 */

/** Bump when train's extraction (features.ts: the views, their order, the pooling) changes what it writes. */
const STORE_FORMAT = 'features-v1';

export interface FeatureStoreInputs {
  /** featureParams without the data root and the configured backend (the engine stands for it). */
  params: unknown;
  /** modelDigest of the backbone model that computes the features. */
  model: string;
  engine: EngineIdentity;
  /** The pixel stores' sha256, train split then eval split. */
  pixels: readonly string[];
}

export function featureStoreKey(inputs: FeatureStoreInputs): string {
  return hashJson({ format: STORE_FORMAT, params: inputs.params, model: inputs.model, engine: inputs.engine, pixels: inputs.pixels });
}

/** sha256 over a model's topology and every weight (name, shape, dtype, bytes). */
export function modelDigest(model: LayersModel): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(model.toJSON(null, false)));
  for (const w of model.weights) {
    const t = w.read();
    // originalName: tfjs suffixes a variable name (_1, _2) for each model built after the first.
    h.update(`${w.originalName} ${t.shape.join('x')} ${t.dtype}\n`);
    const data = t.dataSync();
    h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return h.digest('hex');
}

export type FeatureStoreCheck = { entry: FeatureStoreEntry; table: string } | { missing: true } | { damaged: string };

/** The entry when whole: its record readable and for this key, the table's sha256 the one recorded; else why not. */
export async function checkFeatureStore(work: string, key: string): Promise<FeatureStoreCheck> {
  const store = workLayout.featureStore(work, key);
  const checked = await checkStoreEntry(store, key, featureStoreEntryArtifact, store.table, (e) => e.tableSha256);
  return 'entry' in checked ? { entry: checked.entry, table: store.table } : checked;
}

/** The whole entry, or null; a damaged one is warned about and left for the next publish to replace. */
export async function findFeatureStore(work: string, key: string, log: (line: string) => void): Promise<{ entry: FeatureStoreEntry; table: string } | null> {
  const checked = await checkFeatureStore(work, key);
  if ('damaged' in checked) {
    const shown = (p: string) => shownPaths(p, WORKSPACE_ROOT);
    log(`warning: feature store ${shown(workLayout.featureStore(work, key).dir)}: ${shown(checked.damaged)} (changed on disk since it was stored): computing the features again to rebuild it`);
  }
  return 'entry' in checked ? checked : null;
}

/**
 * Stores a run's table under `key` (linked, not copied, where the file system allows; temp folder
 * + rename). Another run that published the same key first keeps its entry (the same table: same
 * pixels, model and engine); a damaged entry is replaced. The entry's tableSha256 is the one the
 * table's writer recorded (writeFeatures): the table is not read again here, and a lookup checks it.
 */
export async function publishFeatureStore(work: string, key: string, table: string, entry: Omit<FeatureStoreEntry, 'key'>): Promise<string> {
  const store = workLayout.featureStore(work, key);
  await publishDirOnce(
    store.dir,
    async (tmp) => {
      const out = inDir(tmp, FEATURE_STORE_FILES);
      await linkOrCopy(table, out.table);
      await writeArtifact(featureStoreEntryArtifact, out.entry, { ...entry, key });
    },
    async () => 'entry' in (await checkFeatureStore(work, key)),
  );
  return store.table;
}
