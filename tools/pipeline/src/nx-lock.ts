import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeHolder, takeLock, waitForRelease, type WorkLock } from './work-lock.ts';

/**
 * One pipeline Nx run at a time per workspace. Nx keeps one workspace data folder (its record of
 * what its cache holds, and the project graph), and a second Nx process that starts while the first
 * builds its graph waits for it and then uses that graph, which belongs to the first run's config
 * (its folds, detection, features). So a run of another config waits here for the first to finish,
 * saying so once, rather than training a graph that is not its own.
 */
export async function lockWorkspaceNx(workspaceRoot: string, log: (line: string) => void = (l) => console.error(l)): Promise<WorkLock> {
  const dir = join(workspaceRoot, '.nx');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'facemask-pipeline.lock');
  let told = false;
  return takeLock(file, {
    log,
    what: 'this workspace',
    where: workspaceRoot,
    busy: async (holder) => {
      if (!told) log(`waiting for the pipeline run already going in this workspace to finish (${describeHolder(holder)}): Nx builds one project graph per workspace`);
      told = true;
      await waitForRelease(file, holder);
    },
  });
}
