import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { BACKEND_PREFERENCES, backendOptionArgs, listWorkspacePackages, STAGES, WORKSPACE_ROOT, type PackageManifest } from '@facemask/contracts';

/** Every workspace package: its folder, package.json and @facemask dependencies (dev ones included). */
function workspacePackages(): Map<string, { dir: string; manifest: PackageManifest; deps: string[]; all: string[] }> {
  return new Map(
    listWorkspacePackages(WORKSPACE_ROOT).map(({ folder, dir, manifest }) => {
      const all = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies, ...manifest.optionalDependencies });
      return [manifest.name ?? folder, { dir, manifest, deps: all.filter((d) => d.startsWith('@facemask/')), all }];
    }),
  );
}

describe('the workspace architecture', () => {
  const pkgs = workspacePackages();

  it('has no dependency cycle between packages', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (name: string, path: string[]) => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(name)), name].join(' -> '));
        return;
      }
      state.set(name, 'visiting');
      for (const d of pkgs.get(name)?.deps ?? []) visit(d, [...path, name]);
      state.set(name, 'done');
    };
    for (const name of pkgs.keys()) visit(name, []);
    expect(cycles).toEqual([]);
  });

  it('has no import cycle between the files of any package', async () => {
    const dirs = [...pkgs.values()].map((p) => join(p.dir, 'src')).filter((d) => existsSync(d));
    const graph = await madge(dirs, { fileExtensions: ['ts'], tsConfig: resolve(WORKSPACE_ROOT, 'tsconfig.base.json') });
    expect(graph.circular()).toEqual([]);
  }, 300_000);

  it('keeps tfjs out of the contracts every stage and the Nx plugin read', () => {
    for (const name of ['@facemask/contracts', '@facemask/nx-plugin']) {
      const p = pkgs.get(name)!;
      expect(p.all.filter((d) => d.startsWith('@tensorflow/')), name).toEqual([]);
      // the plugin reaches into engine for its file-only probe, nothing else
      if (name === '@facemask/nx-plugin') {
        const src = readdirSync(join(p.dir, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
        const imports = src.flatMap((f) => [...readFileSync(join(p.dir, 'src', f), 'utf8').matchAll(/from '(@facemask\/[^']+)'/g)].map((m) => m[1]));
        expect(imports.filter((i) => i!.startsWith('@facemask/engine'))).toEqual(['@facemask/engine/probe']);
        // and into face-detect for the tfjs-free model identities (detect's key)
        expect(imports.filter((i) => i!.startsWith('@facemask/face-detect'))).toEqual(['@facemask/face-detect/identity']);
      }
    }
    for (const name of ['@facemask/ensemble', '@facemask/pseudo-label', '@facemask/submit']) {
      expect(pkgs.get(name)!.deps, `${name} reads other stages' artifacts through contracts only`).toEqual(['@facemask/contracts']);
    }
  });

  it('keeps every stage package off other stages: their code reaches them through contracts and libraries', () => {
    // The stage projects, as the stage declarations name them.
    const stagePackages = new Set(Object.values(STAGES).map((s) => `@facemask/${s.project}`));
    const offenders: string[] = [];
    for (const name of stagePackages) {
      const p = pkgs.get(name)!;
      for (const d of Object.keys(p.manifest.dependencies ?? {})) if (d !== name && stagePackages.has(d)) offenders.push(`${name} depends on ${d}`);
      const runtimeFiles = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
          const f = join(dir, e.name);
          if (e.isDirectory()) return ['test-utils', 'testing'].includes(e.name) ? [] : runtimeFiles(f);
          return e.name.endsWith('.ts') && !/\.(test|bench|testutil)\.ts$/.test(e.name) ? [f] : [];
        });
      for (const f of runtimeFiles(join(p.dir, 'src'))) {
        for (const m of readFileSync(f, 'utf8').matchAll(/from '(@facemask\/[^'/]+)/g)) {
          if (m[1] !== name && stagePackages.has(m[1]!)) offenders.push(`${f.slice(WORKSPACE_ROOT.length + 1)} imports ${m[1]}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it("says what each package is (package.json's facemask.kind): the stages are the declared ones, libraries use no stage or app", () => {
    const KINDS = ['stage', 'library', 'app', 'tool'];
    const kind = new Map<string, string>();
    for (const [name, p] of pkgs) {
      expect(KINDS, `${name}: facemask.kind`).toContain(p.manifest.facemask?.kind);
      kind.set(name, p.manifest.facemask!.kind!);
    }
    const declared = new Set(Object.values(STAGES).map((s) => `@facemask/${s.project}`));
    expect([...kind].filter(([, k]) => k === 'stage').map(([n]) => n).sort()).toEqual([...declared].sort());
    const wrong: string[] = [];
    for (const [name, p] of pkgs) {
      if (kind.get(name) !== 'library') continue;
      for (const d of Object.keys(p.manifest.dependencies ?? {})) if (['stage', 'app', 'tool'].includes(kind.get(d) ?? '')) wrong.push(`${name} (library) depends on ${d} (${kind.get(d)})`);
    }
    expect(wrong).toEqual([]);
  });

  it("names the engines once: every --backend option comes from contracts' backendOptionArgs, which lists BACKEND_PREFERENCES", () => {
    const [, help] = backendOptionArgs('x');
    for (const name of BACKEND_PREFERENCES) expect(help).toContain(name);
    const written: string[] = [];
    // The kiosk's page picks among the browser's engines (webgl, wasm, cpu): another vocabulary.
    for (const [name, p] of pkgs) {
      if (name === '@facemask/kiosk') continue;
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
      if (!existsSync(join(p.dir, 'src'))) continue;
      for (const f of walk(join(p.dir, 'src'))) if (/['"]--backend <name>['"]/.test(readFileSync(f, 'utf8')) && !f.endsWith('backends.ts')) written.push(f.slice(WORKSPACE_ROOT.length + 1));
    }
    expect(written).toEqual([]);
  });

  it("exports only files that exist (each package.json's exports, source condition)", () => {
    const missing: string[] = [];
    for (const [name, p] of pkgs) {
      for (const [path, target] of Object.entries(p.manifest.exports ?? {})) {
        const source = typeof target === 'string' ? target : target.source;
        if (source && !existsSync(join(p.dir, source))) missing.push(`${name} exports ${path} -> ${source}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

