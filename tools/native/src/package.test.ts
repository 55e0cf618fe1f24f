import { readFileSync, readdirSync, realpathSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { napiBuildVersion, resolvePackage } from './package.ts';
import { packageName, VARIANTS } from './variant.ts';

const workspace = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('napiBuildVersion', () => {
  it("the highest the package lists that Node supports, as node-pre-gyp picks it", () => {
    expect(napiBuildVersion([3, 4, 5, 6, 7, 8], 9)).toBe(8);
    expect(napiBuildVersion([3, 4, 5, 6, 7, 8], 6)).toBe(6);
    expect(() => napiBuildVersion([7, 8], 3)).toThrow(/N-API 3, older than any/);
  });
});

describe('resolvePackage', () => {
  // The binding is built in one folder of pnpm's store: every workspace package that loads the
  // native package must resolve to that very folder.
  it.each(VARIANTS)('%s: the folder native:install builds in is the one every workspace consumer loads', (variant) => {
    const pkg = resolvePackage(variant);
    expect(pkg.bindingPath).toBe(join(pkg.dir, `lib/napi-v${pkg.napiBuildVersion}/tfjs_binding.node`));
    const name = packageName(variant);
    const consumers = ['packages', 'tools']
      .flatMap((group) => readdirSync(join(workspace, group)).map((d) => join(workspace, group, d, 'package.json')))
      .filter((p) => existsSync(p))
      .filter((p) => {
        const json = JSON.parse(readFileSync(p, 'utf8')) as Record<string, Record<string, string> | undefined>;
        return Boolean(json.dependencies?.[name] ?? json.optionalDependencies?.[name]);
      });
    expect(consumers.length).toBeGreaterThanOrEqual(2);
    for (const manifest of consumers) {
      const resolved = dirname(createRequire(manifest).resolve(`${name}/package.json`));
      expect(realpathSync(resolved), manifest).toBe(realpathSync(pkg.dir));
    }
  });
});
