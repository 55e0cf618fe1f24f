import { describe, expect, it } from 'vitest';
import { buildBinding, buildEnv, localNodeDir, onPath } from './build.ts';
import { resolvePackage } from './package.ts';

describe('build environment', () => {
  it("node-gyp is ours; Node's own headers are used unless npm_config_nodedir says otherwise", () => {
    expect(buildEnv({ A: '1' }, '/g/node-gyp.js', '/usr')).toEqual({ A: '1', npm_config_node_gyp: '/g/node-gyp.js', npm_config_nodedir: '/usr' });
    expect(buildEnv({ npm_config_nodedir: '/n' }, '/g', '/usr').npm_config_nodedir).toBe('/n');
    expect(buildEnv({}, '/g', undefined)).toEqual({ npm_config_node_gyp: '/g' });
  });

  it('finds the headers beside a Node that has them', () => {
    expect(localNodeDir('/nonexistent/bin/node')).toBeUndefined();
    const here = localNodeDir();
    if (here !== undefined) expect(here).toBe(process.execPath.replace(/\/bin\/node$/, ''));
  });

  it('onPath looks on the PATH the build gets', () => {
    expect(onPath('sh', { PATH: '/bin:/usr/bin' })).toBe(true);
    expect(onPath('sh', { PATH: '/nonexistent' })).toBe(false);
  });

  it('without a compiler, make or python the build stops before node-gyp, in one line', async () => {
    await expect(buildBinding(resolvePackage('cpu'), '/nonexistent/log', { PATH: '/nonexistent' })).rejects.toThrow(
      /^cannot build the binding: a C\+\+ compiler \(g\+\+\), make, python3 not found \(node-gyp needs them\): install them/,
    );
  });
});
