import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The job templates run the same commands on every machine; no YAML parser is a dependency of the
 * workspace, so they are checked as text, written in a plain style these checks can read: every
 * `pnpm` command is `install` or a script of the root package.json, every config they name exists,
 * and the folds they start are exactly the config's folds.
 */
const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const WORKFLOW = join(REPO, '.github', 'workflows', 'folds.yml');
const K8S_JOB = join(REPO, 'deploy', 'k8s', 'folds-job.yaml');

/** The file without its comments (a `#` at a line's start or after a space). */
async function code(file: string): Promise<string> {
  const text = await readFile(file, 'utf8');
  expect(text, `${file} has a tab (YAML forbids them in indentation)`).not.toContain('\t');
  return text
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, ''))
    .join('\n');
}

async function scripts(): Promise<Set<string>> {
  const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return new Set(Object.keys(pkg.scripts));
}

function pnpmCommands(text: string): string[] {
  return [...text.matchAll(/\bpnpm[ \t]+([^\n"\]]+)/g)].map((m) => (m[1] ?? '').trim());
}

async function configFolds(text: string): Promise<{ config: string; folds: number[] }> {
  const configs = [...new Set([...text.matchAll(/--config[ \t]+(\S+)/g)].map((m) => m[1] ?? ''))];
  expect(configs).toHaveLength(1);
  const config = configs[0] ?? '';
  expect(existsSync(join(REPO, config)), `${config} exists`).toBe(true);
  const n = (JSON.parse(await readFile(join(REPO, config), 'utf8')) as { preprocess: { folds: number } }).preprocess.folds;
  return { config, folds: Array.from({ length: n }, (_, k) => k) };
}

describe.each([WORKFLOW, K8S_JOB])('%s', (file) => {
  it('runs only pnpm install and scripts of package.json, against the remote cache', async () => {
    const text = await code(file);
    const known = await scripts();
    const commands = pnpmCommands(text);
    expect(commands.length).toBeGreaterThan(3);
    for (const c of commands) {
      const name = c.split(/\s+/)[0] ?? '';
      expect(name === 'install' || known.has(name), `"pnpm ${c}": ${name} is not a script in package.json`).toBe(true);
    }
    expect(commands).toContain('install --frozen-lockfile');
    expect(commands).toContain('native:install');
    for (const v of ['NX_SELF_HOSTED_REMOTE_CACHE_SERVER', 'NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN']) expect(text).toMatch(new RegExp(`\\b${v}\\b`));
  });
});

describe('the GitHub Actions workflow', () => {
  it('has one job per fold of the config, then a pipeline job after them all', async () => {
    const text = await code(WORKFLOW);
    const { folds } = await configFolds(text);
    const matrix = /^\s+fold:\s*\[([^\]]*)\]\s*$/m.exec(text);
    expect(matrix?.[1]?.split(',').map((f) => Number(f.trim()))).toEqual(folds);
    expect(text).toMatch(/--folds \$\{\{ matrix\.fold \}\}\s*$/m);
    const pipelineJob = text.slice(text.indexOf('\n  pipeline:'));
    expect(pipelineJob).toMatch(/^\s+needs: folds\s*$/m);
    expect(pnpmCommands(pipelineJob).filter((c) => c.startsWith('pipeline'))).toEqual(['pipeline --config tools/pipeline/configs/demo.json']);
  });
});

describe('the Kubernetes Indexed Job', () => {
  it('starts one pod per fold of the config, the completion index naming the fold', async () => {
    const text = await code(K8S_JOB);
    const { folds } = await configFolds(text);
    expect(text).toMatch(/^kind: Job$/m);
    expect(text).toMatch(/^ {2}completionMode: Indexed$/m);
    expect(Number(/^ {2}completions: (\d+)$/m.exec(text)?.[1])).toBe(folds.length);
    expect(text).toMatch(/--folds "\$JOB_COMPLETION_INDEX"$/m);
    expect(text).toMatch(/^ {6}restartPolicy: Never$/m);
  });
});
