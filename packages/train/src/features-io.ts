import { join } from 'node:path';
import { FEATURES_FILES, featuresMetaArtifact, linkOrCopy, readArtifact, sha256OfFile, workLayout, writeArtifact, writeDirAtomic, type FeaturesMeta } from '@facemask/contracts';
import { readSafetensors, tensorF32, writeSafetensors } from '@facemask/engine';
import type { FeatureTable } from './source.ts';

/**
 * The feature table of train:features: written once, as one folder swapped in whole (table and
 * what it was computed from), so a fold never reads a half-written table or one that belongs to
 * another config, data set or engine. Returns the table's sha256 as recorded, so publishing it
 * (feature-store.ts) does not read the whole table a second time.
 */
export async function writeFeatures(work: string, table: FeatureTable, meta: Omit<FeaturesMeta, 'dim' | 'count' | 'tableSha256'>): Promise<string> {
  let tableSha256 = '';
  await writeDirAtomic(workLayout.features(work).dir, async (tmp) => {
    const file = join(tmp, FEATURES_FILES.table);
    await writeSafetensors(file, {
      plain: { dtype: 'F32', shape: [table.count, table.dim], data: table.plain },
      flipped: { dtype: 'F32', shape: [table.count, table.dim], data: table.flipped },
    });
    tableSha256 = await sha256OfFile(file);
    await writeArtifact(featuresMetaArtifact, join(tmp, FEATURES_FILES.meta), { ...meta, dim: table.dim, count: table.count, tableSha256 });
  });
  return tableSha256;
}

/**
 * The run's feature table as a link to a shared store's (feature-store.ts): the same folder as
 * writeFeatures writes, the table hard-linked (copied across file systems), the record the run's own.
 */
export async function linkFeatures(work: string, stored: { table: string; tableSha256: string; count: number; dim: number }, meta: Omit<FeaturesMeta, 'dim' | 'count' | 'tableSha256'>): Promise<void> {
  await writeDirAtomic(workLayout.features(work).dir, async (tmp) => {
    await linkOrCopy(stored.table, join(tmp, FEATURES_FILES.table));
    await writeArtifact(featuresMetaArtifact, join(tmp, FEATURES_FILES.meta), { ...meta, dim: stored.dim, count: stored.count, tableSha256: stored.tableSha256 });
  });
}

const RERUN = `run \`nx run ${featuresMetaArtifact.producedBy}\` first (the pipeline runs it before the folds)`;

/** The feature table, when it was computed from what `expected` describes. */
export async function readFeatures(work: string, expected: Omit<FeaturesMeta, 'dim' | 'tableSha256'>): Promise<FeatureTable> {
  const paths = workLayout.features(work);
  const meta = await readArtifact(featuresMetaArtifact, paths.meta);
  const differs =
    meta.paramsHash !== expected.paramsHash
      ? 'another model, seed, normalisation or image size'
      : meta.engine !== expected.engine
        ? `the ${meta.engine} engine (this fold runs on ${expected.engine})`
        : meta.dataset !== expected.dataset || meta.optionsHash !== expected.optionsHash || meta.count !== expected.count
          ? 'other data or preprocessing'
          : null;
  if (differs) throw new Error(`the features in ${paths.dir} were computed for ${differs}: ${RERUN}`);
  // A same-size overwrite keeps the header and shapes valid: only the digest tells.
  const sha = await sha256OfFile(paths.table).catch(() => null);
  if (sha !== null && sha !== meta.tableSha256) {
    throw new Error(`${paths.table} does not have the sha256 train:features recorded when it wrote it (changed on disk since): rerun \`nx run ${featuresMetaArtifact.producedBy} --skip-nx-cache\``);
  }
  let st;
  try {
    st = await readSafetensors(paths.table);
  } catch (err) {
    throw new Error(`the features in ${paths.dir} are unreadable (${(err as Error).message}): ${RERUN}`);
  }
  const plain = st.tensors.get('plain');
  const flipped = st.tensors.get('flipped');
  const shape = [meta.count, meta.dim].join();
  if (!plain || !flipped || plain.shape.join() !== shape || flipped.shape.join() !== shape) {
    throw new Error(`${paths.table} does not hold two [${meta.count}, ${meta.dim}] tables (plain, flipped): ${RERUN}`);
  }
  return { dim: meta.dim, plain: tensorF32(plain), flipped: tensorF32(flipped), count: meta.count };
}
