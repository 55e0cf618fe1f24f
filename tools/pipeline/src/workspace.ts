import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type PipelineConfig } from '@facemask/core';

export const WORKSPACE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_CONFIG = resolve(WORKSPACE_ROOT, 'tools/pipeline/configs/demo.json');

/**
 * The config every pipeline target reads: `--config=FILE` if given, else $FACEMASK_CONFIG, else
 * the demo config. Nx hashes the config named by $FACEMASK_CONFIG, so a `--config` that names
 * another file is refused rather than cached under the wrong key.
 */
export function configPath(cliConfig?: string): string {
  const env = process.env.FACEMASK_CONFIG ? resolve(process.env.FACEMASK_CONFIG) : undefined;
  const cli = cliConfig ? resolve(cliConfig) : undefined;
  if (cli && env && cli !== env) {
    throw new Error(
      `--config=${cli} differs from FACEMASK_CONFIG=${env}: Nx hashes the file FACEMASK_CONFIG names; set it to the same file (pnpm pipeline --config does)`,
    );
  }
  return cli ?? env ?? DEFAULT_CONFIG;
}

export async function loadPipelineConfig(cliConfig?: string): Promise<PipelineConfig> {
  return loadConfig(configPath(cliConfig), WORKSPACE_ROOT);
}
