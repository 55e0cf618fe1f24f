import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listWorkspacePackages } from '@facemask/contracts';

/** A workspace package as its task keys see it: its Nx project and what it loads at run time. */
export interface WorkspacePackage {
  /** The Nx project name (project.json's name, the folder's name). */
  project: string;
  /** Its folder, absolute. */
  dir: string;
  /** package.json's dependencies and optionalDependencies: devDependencies never run in a stage. */
  runtimeDeps: string[];
}

/** Every workspace package that is an Nx project, by its npm name (tools/* are never loaded by a stage, but may be named). */
export async function readWorkspacePackages(workspaceRoot: string): Promise<Map<string, WorkspacePackage>> {
  const out = new Map<string, WorkspacePackage>();
  for (const { dir, manifest } of listWorkspacePackages(workspaceRoot)) {
    let project: { name?: string };
    try {
      project = JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8'));
    } catch {
      continue; // not an Nx project of this workspace
    }
    if (!manifest.name || !project.name) continue;
    out.set(manifest.name, { project: project.name, dir, runtimeDeps: Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }) });
  }
  return out;
}

/** What a project's stage scripts can load: workspace projects (itself first) and npm packages. */
export interface RuntimeClosure {
  projects: string[];
  /** npm package name -> the version installed for the project that declares it ('absent': an optional one not installed). */
  external: Record<string, string>;
}

/**
 * The workspace projects and npm packages reachable from `project` through runtime
 * dependencies alone. Nx's own `^production` follows devDependencies too (a test helper's
 * package, the synthetic-face generator), so a stage's key would move with code it never runs.
 */
export function runtimeClosure(packages: Map<string, WorkspacePackage>, project: string): RuntimeClosure {
  const byProject = new Map([...packages.values()].map((p) => [p.project, p]));
  const start = byProject.get(project);
  if (!start) throw new Error(`no workspace package has the Nx project ${project}`);
  const projects: string[] = [];
  const external = new Map<string, string>();
  const visit = (p: WorkspacePackage) => {
    if (projects.includes(p.project)) return;
    projects.push(p.project);
    for (const dep of p.runtimeDeps) {
      const ws = packages.get(dep);
      if (ws) visit(ws);
      else if (!external.has(dep)) external.set(dep, installedVersion(p.dir, dep));
    }
  };
  visit(start);
  const sorted = [...external].sort(([a], [b]) => a.localeCompare(b));
  return { projects: [projects[0]!, ...projects.slice(1).sort()], external: Object.fromEntries(sorted) };
}

/**
 * The version of `dep` installed for the package in `dir` (pnpm links each declared dependency
 * into the package's own node_modules). Read here rather than through Nx's externalDependencies
 * input, whose walk of transitive npm nodes picked a different version of a package named twice
 * in the lockfile from one run to the next (Nx 22.7), so no key was ever the same twice.
 */
export function installedVersion(dir: string, dep: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', dep, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'absent';
  }
}
