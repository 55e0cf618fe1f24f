import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targets, workLayout, type ConfigInput } from '@facemask/contracts';
import { DEFAULT_SYNTH_OPTIONS, generateDataset } from '@facemask/synth';
import { taskOutcomes } from './nx.ts';
import { tinyConfig } from './testing/tiny-config.ts';
import { runScript, startCacheServer, type CacheServer } from './testing/run-script.ts';
import { copyWorkspace, removeWorkspace } from './testing/workspace-copy.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

/**
 * A team on loopback: one cache server (tools/cache-server) and three copies of this workspace at
 * three paths, each with its own .nx. Clone A trains folds 0 and 1, clone B (its data root a copy
 * at another path) folds 2, 3 and 4, side by side; clone C runs the whole `pnpm pipeline` and
 * trains no fold. Then C, its local Nx cache and workspace data wiped and its data root moved,
 * runs again and trains none either; and a single-machine run of the same config (no server, no
 * cache) writes the same submission, byte for byte.
 */
const TOKEN = 'team-clones-test-token';
const FOLDS = [0, 1, 2, 3, 4];
const TRAIN = FOLDS.map((f) => targets.trainFold(1, f));

let dir: string;
let server: CacheServer | undefined;
const clones: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

function config(root: string): ConfigInput {
  // relative: each clone's own work folder
  return tinyConfig(root, { name: 'team-clones-test', data: { work: 'data/work-team', evalLabels: null }, preprocess: { folds: 5 } });
}

async function configFile(name: string, root: string): Promise<string> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(config(root)));
  return file;
}

/**
 * `pnpm pipeline ARGS` in a clone, as a team member runs it: the clone's own CLI, with the remote
 * cache's variables when `remote` (and no other NX_* variable of this test's own environment).
 */
async function pipeline(clone: string, args: string[], remote: boolean): Promise<{ output: string; stdout: string }> {
  const env = remote ? { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server!.url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN } : {};
  const { code, output, stdout } = await runScript(clone, 'tools/pipeline/src/cli.ts', args, env);
  if (code !== 0) throw new Error(`pipeline ${args.join(' ')} in ${clone} failed (${code}):\n${output.slice(-5000)}`);
  return { output, stdout };
}

/** The train tasks of a run that Nx took from the remote cache, and those it ran. */
function trainOutcomes(output: string): { remote: string[]; ran: string[] } {
  // eslint-disable-next-line no-control-regex
  const lines = output.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const remote = TRAIN.filter((t) => lines.some((l) => new RegExp(`^>\\s+nx run ${t}\\s.*\\[remote cache\\]`).test(l.trim())));
  const outcomes = taskOutcomes(output);
  return { remote, ran: TRAIN.filter((t) => outcomes.get(t) === 'ran') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facemask-team-clones-'));
  [clones.a, clones.b, clones.c] = await Promise.all([copyWorkspace('facemask-clone-a-'), copyWorkspace('facemask-clone-b-'), copyWorkspace('facemask-clone-c-')]);
  await generateDataset({ ...DEFAULT_SYNTH_OPTIONS, out: join(dir, 'data-a'), people: 10, evalFraction: 0.2, seed: 20261207, width: 96, height: 128, quiet: true });
  await mkdir(join(dir, 'elsewhere'), { recursive: true });
  await cp(join(dir, 'data-a'), join(dir, 'elsewhere', 'data-b'), { recursive: true });
  // The server as `pnpm cache:serve` starts it, on a free loopback port.
  server = await startCacheServer(WORKSPACE_ROOT, join(dir, 'server'), TOKEN);
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await Promise.all([...Object.values(clones).filter(Boolean).map(removeWorkspace), rm(dir, { recursive: true, force: true })]);
});

describe('a team of three clones sharing one cache server on loopback', () => {
  it('A trains folds 0,1 and B (data at another path) 2,3,4 side by side; C then trains no fold; wiped and moved, C trains none again; one machine alone writes the same submission', async () => {
    const [fileA, fileB] = await Promise.all([configFile('a', join(dir, 'data-a')), configFile('b', join(dir, 'elsewhere', 'data-b'))]);
    const [a, b] = await Promise.all([pipeline(clones.a, ['--config', fileA, '--folds', '0,1'], true), pipeline(clones.b, ['--config', fileB, '--folds', '2,3,4'], true)]);
    expect(a.stdout).toContain('fold 0: trained\nfold 1: trained\n');
    expect(b.stdout).toContain('fold 2: trained\nfold 3: trained\nfold 4: trained\n');

    // C: every fold from the server, whichever machine and data path trained it
    const c = await pipeline(clones.c, ['--config', fileA], true);
    expect(trainOutcomes(c.output)).toEqual({ remote: TRAIN, ran: [] });
    const submission = workLayout.submission(join(clones.c, 'data', 'work-team')).csv;
    expect(c.stdout).toContain(`submission: ${submission}`);
    const shared = await readFile(submission);

    // C again with no local Nx cache or workspace data, its data root moved: still no fold trained
    await Promise.all(['.nx/cache', '.nx/workspace-data'].map((p) => rm(join(clones.c, p), { recursive: true, force: true })));
    await rename(join(dir, 'data-a'), join(dir, 'moved'));
    const fileMoved = await configFile('moved', join(dir, 'moved'));
    const again = await pipeline(clones.c, ['--config', fileMoved], true);
    expect(trainOutcomes(again.output)).toEqual({ remote: TRAIN, ran: [] });
    expect(await readFile(submission)).toEqual(shared);

    // one machine alone, no server and no cache: every fold trained here, the same submission
    const alone = await pipeline(clones.c, ['--config', fileMoved, '--skip-nx-cache'], false);
    expect(trainOutcomes(alone.output)).toEqual({ remote: [], ran: TRAIN });
    expect((await readFile(submission)).equals(shared)).toBe(true);
    // every request answered on loopback, no server error
    expect(server!.lines.filter((l) => / (GET|PUT) \/v1\/cache\/\d+ 5\d\d /.test(l))).toEqual([]);
  }, 900_000);
});
