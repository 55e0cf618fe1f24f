import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NATIVE_PACKAGES, stderrMuteAddon } from './native-probe.ts';
import { loadQuietly } from './quiet-load.ts';

describe('loadQuietly without the addon', () => {
  it('runs the load as it is when native:install put no addon beside the binding, or FACEMASK_ENGINE_LOG=1', async () => {
    const out: string[] = [];
    expect(await loadQuietly(async () => 'loaded', { addon: null, write: (t) => out.push(t) })).toBe('loaded');
    expect(await loadQuietly(async () => 'loaded', { addon: '/nonexistent/facemask_stderr_mute.node', env: { FACEMASK_ENGINE_LOG: '1' }, write: (t) => out.push(t) })).toBe('loaded');
    expect(out).toEqual([]);
  });

  it('an addon that does not load is said in one line, and the load still runs', async () => {
    const out: string[] = [];
    expect(await loadQuietly(async () => 'loaded', { addon: '/nonexistent/facemask_stderr_mute.node', env: {}, write: (t) => out.push(t) })).toBe('loaded');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^engine: \/nonexistent\/facemask_stderr_mute\.node does not load \(.+\), so TensorFlow's start-up lines are not filtered: rerun `pnpm native:install`\n$/);
  });
});

// The real thing: a child process loads tfjs-node through the engine's loader. Runs where
// native:install has run (CI's tensorflow pass sets TFJS_BACKEND=tensorflow; a missing addon then fails).
const native = stderrMuteAddon(NATIVE_PACKAGES.tensorflow) !== null || process.env.TFJS_BACKEND === 'tensorflow';
const backendTs = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'backend.ts')).href;

function loadInChild(env: Record<string, string>) {
  const script = `const { selectBackend } = await import(${JSON.stringify(backendTs)}); await selectBackend({ prefer: 'tensorflow' });`;
  const childEnv: Record<string, string | undefined> = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '', FACEMASK_ENGINE_LOG: '', TF_ENABLE_ONEDNN_OPTS: '', ...env };
  return spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script], { encoding: 'utf8', env: childEnv, timeout: 60_000 });
}

const NOISE = [/All log messages before absl::InitializeLog\(\)/, /oneDNN custom operations are on/, /cpu_feature_guard/, /To enable the following instructions/];

describe.runIf(native)('the native engine loads quietly', () => {
  it('has the stderr-mute addon beside the binding', () => {
    expect(stderrMuteAddon(NATIVE_PACKAGES.tensorflow)).toMatch(/facemask_stderr_mute\.node$/);
  });

  it("stderr has none of TensorFlow's start-up lines, while a real warning printed during the load still shows", () => {
    // An invalid TF_ENABLE_ONEDNN_OPTS makes the library warn from the same file as the oneDNN line.
    const r = loadInChild({ TF_ENABLE_ONEDNN_OPTS: 'maybe', TF_CPP_MIN_LOG_LEVEL: '0' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backend: tensorflow \(tfjs-node 4\.22\.0 on TensorFlow /m);
    for (const re of NOISE) expect(r.stderr).not.toMatch(re);
    expect(r.stderr).toMatch(/port\.cc:\d+\] TF_ENABLE_ONEDNN_OPTS is not set to either '0', 'false', '1', or 'true'\. Using the default setting: true/);
  });

  it('FACEMASK_ENGINE_LOG=1 shows everything (and so shows the noise is real)', () => {
    const r = loadInChild({ FACEMASK_ENGINE_LOG: '1', TF_CPP_MIN_LOG_LEVEL: '0' });
    expect(r.status, r.stderr).toBe(0);
    for (const re of NOISE) expect(r.stderr).toMatch(re);
  });
});
