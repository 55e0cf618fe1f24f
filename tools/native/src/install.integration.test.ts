import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadError } from './errors.ts';
import { install, resolveLibrary } from './install.ts';
import { resolvePackage } from './package.ts';

// The real install: pip, an 850 MB extraction and a 30 s build the first time, so opt-in:
// NATIVE_INSTALL_TEST=1 npx vitest run src/install.integration.test.ts
const enabled = process.env.NATIVE_INSTALL_TEST === '1';
const tmp = mkdtempSync(join(tmpdir(), 'native-it-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.runIf(enabled)('native:install on this machine', () => {
  it('installs tfjs-node against TensorFlow, then a rerun changes nothing', async () => {
    const lines: string[] = [];
    const first = await install({ variant: 'cpu', log: (l) => lines.push(l) });
    expect(first.engine.tfjsNode).toBe('4.22.0');
    if (first.library.tensorflowVersion) expect(first.engine.tensorflow).toBe(first.library.tensorflowVersion);
    expect(first.engine.gpu).toBe(false);
    const again = await install({ variant: 'cpu', log: () => {} });
    expect(again.alreadyInstalled).toBe(true);
    expect(again.binding).toBe('in place');
    expect(again.seconds).toBeLessThan(15);
  });

  it('after node_modules lost the binding and links, re-links and copies the cached binding without building', async () => {
    const pkg = resolvePackage('cpu');
    await rm(join(pkg.dir, 'deps'), { recursive: true, force: true });
    await rm(pkg.bindingPath, { force: true });
    const r = await install({ variant: 'cpu', log: () => {} });
    expect(r.binding).toBe('cached');
    expect(r.alreadyInstalled).toBe(false);
    expect(r.seconds).toBeLessThan(15);
  });

  it('a wheel pip cannot find is "wheel not found", in one line', async () => {
    const env = { ...process.env, FACEMASK_NATIVE_CACHE: join(tmp, 'cache'), FACEMASK_TENSORFLOW_VERSION: '0.0.1', TFJS_NODE_BASE_URI: 'http://127.0.0.1:1/x-' };
    await expect(resolveLibrary({ variant: 'cpu', env, refresh: true, root: join(tmp, 'cache'), log: () => {}, probeTimeoutMs: 1000 })).rejects.toThrow(
      /^wheel not found: pip has no tensorflow-cpu==0\.0\.1 wheel for this Python and platform: [^\n]+$/,
    );
  });

  it("a library that lacks a symbol the addon needs: the loader's real message maps to a symbol mismatch", () => {
    // A stand-in addon whose data reference to a TF_ symbol the dynamic loader must resolve at load time.
    const src = join(tmp, 'stub.c');
    writeFileSync(src, 'extern int TF_MissingFromThisLibrary; int read_it(void) { return TF_MissingFromThisLibrary; }\n');
    execFileSync('gcc', ['-shared', '-fPIC', '-o', join(tmp, 'stub.node'), src]);
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(tmp, 'stub.node'))})`], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(loadError(r.stderr, 'the TensorFlow library in /x', 'cpu').message).toBe(
      'symbol mismatch: the binding needs TF_MissingFromThisLibrary, which the TensorFlow library in /x lacks: use a TensorFlow 2.9+ C library (libtensorflow_cc.so.2 and libtensorflow_framework.so.2 of one release)',
    );
  });
});
