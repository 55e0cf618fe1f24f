import { resolve } from 'node:path';
import type { ModelManifest, PipelineConfig } from '@facemask/contracts';
import { gatherRun } from './gather.ts';
import { buildManifest } from './manifest.ts';
import { writeModelFolder } from './write.ts';

export interface ExportOptions {
  out: string;
  /** A subset of the trained folds; default: every fold of the last round. */
  folds?: readonly number[];
  now?: Date;
}

/** `pnpm export`: packs the last round's fold models of a run into one model folder. */
export async function runExport(cfg: PipelineConfig, opts: ExportOptions): Promise<{ dir: string; manifest: ModelManifest }> {
  const dir = resolve(opts.out);
  const { modelDirs, ...inputs } = await gatherRun(cfg, { folds: opts.folds });
  const manifest = buildManifest({ ...inputs, exportedAt: opts.now ?? new Date() });
  await writeModelFolder(dir, manifest, modelDirs);
  return { dir, manifest };
}
