import { loadStageConfig, WORKSPACE_ROOT, type PipelineConfig } from '@facemask/contracts';

export { WORKSPACE_ROOT };

/** The pipeline config: `cli` if given, else $FACEMASK_CONFIG, else the demo config. */
export async function loadPipelineConfig(cliConfig?: string): Promise<PipelineConfig> {
  return loadStageConfig(cliConfig, WORKSPACE_ROOT);
}
