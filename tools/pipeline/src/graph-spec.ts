/** Prints the task-graph shape for the current config as JSON; read by tools/nx-plugin. */
import { graphSpec } from './stages.ts';
import { loadPipelineConfig, WORKSPACE_ROOT } from './workspace.ts';

try {
  console.log(JSON.stringify(graphSpec(await loadPipelineConfig(), WORKSPACE_ROOT)));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
