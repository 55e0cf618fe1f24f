import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STDERR_MUTE_FILE, installStderrMute, stderrMuteKey, stderrMuteKeyInput, stderrMuteSourceDir, stderrMuteStatus } from './stderr-mute.ts';

// A real build of the few lines of C (node-gyp, a few seconds), into a temporary cache.
let dir: string;
let addon: string;
const lines: string[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'native-mute-'));
  const r = await installStderrMute({ root: join(dir, 'cache'), bindingDir: join(dir, 'pkg', 'lib', 'napi-v8'), refresh: false, env: process.env, log: (l) => lines.push(l) });
  expect(r.state).toBe('built');
  addon = r.path;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `body` in a child Node with `mute` (the addon) and `capture` (a file path) in scope. */
function child(body: string) {
  const capture = join(dir, `capture-${Math.random().toString(36).slice(2)}.log`);
  const r = spawnSync(process.execPath, ['-e', `const mute = require(${JSON.stringify(addon)}); const capture = ${JSON.stringify(capture)};\n${body}`], { encoding: 'utf8' });
  return { ...r, captured: existsSync(capture) ? readFileSync(capture, 'utf8') : '' };
}

describe('stderr-mute addon', () => {
  it('is built beside the binding and cached; a second install finds it in place, a lost copy comes from the cache', async () => {
    expect(addon).toBe(join(dir, 'pkg', 'lib', 'napi-v8', STDERR_MUTE_FILE));
    expect(lines.join('\n')).toMatch(/stderr mute: built the engine's stderr-mute addon, cached in /);
    const opts = { root: join(dir, 'cache'), bindingDir: join(dir, 'pkg', 'lib', 'napi-v8'), refresh: false, env: process.env, log: () => {} };
    expect((await installStderrMute(opts)).state).toBe('in place');
    rmSync(addon);
    expect((await installStderrMute(opts)).state).toBe('cached');
    expect(existsSync(addon)).toBe(true);
  });

  it('points fd 2 at the file between begin and end, native writes and JS writes alike, then gives it back', () => {
    const r = child(`
      process.stderr.write('before\\n');
      mute.begin(capture);
      require('fs').writeSync(2, 'raw fd 2\\n');
      console.error('console.error');
      mute.end();
      mute.end();
      process.stderr.write('after\\n');`);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('before\nafter\n');
    expect(r.captured).toBe('raw fd 2\nconsole.error\n');
  });

  it('a process that aborts while muted still prints what it captured', () => {
    const r = child(`mute.begin(capture); require('fs').writeSync(2, 'last words before the abort\\n'); process.abort();`);
    expect(r.signal).toBe('SIGABRT');
    expect(r.stderr).toContain('last words before the abort\n');
  });

  it('says what is wrong in one line: a capture file it cannot open, a begin while muted', () => {
    const r = child(`
      try { mute.begin('/nonexistent/dir/x.log'); } catch (e) { console.log(e.message); }
      mute.begin(capture);
      try { mute.begin(capture); } catch (e) { mute.end(); console.log(e.message); }`);
    expect(r.stdout).toBe('stderr-mute: /nonexistent/dir/x.log: No such file or directory\nstderr-mute: begin() while already muted: call end() first\n');
  });

  it('the cache key follows the source, the Node ABI and the platform', () => {
    const src = join(dir, 'src-copy');
    cpSync(stderrMuteSourceDir(), src, { recursive: true });
    const base = stderrMuteKeyInput(src);
    expect(stderrMuteKey(base)).toBe(stderrMuteKey(stderrMuteKeyInput()));
    writeFileSync(join(src, 'stderr_mute.c'), `${readFileSync(join(src, 'stderr_mute.c'), 'utf8')}\n/* edited */\n`);
    const keys = new Set([base, stderrMuteKeyInput(src), { ...base, nodeAbi: '0' }, { ...base, arch: 'arm64' }].map(stderrMuteKey));
    expect(keys.size).toBe(4);
    expect(stderrMuteStatus(join(dir, 'cache'), join(dir, 'pkg', 'lib', 'napi-v8'), false, src).cacheOk).toBe(false);
  });
});
