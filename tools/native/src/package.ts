import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { NativeInstallError } from './errors.ts';
import { packageName, type Variant } from './variant.ts';

export interface TfjsNodePackage {
  name: string;
  version: string;
  /** Real folder of the installed package (inside pnpm's virtual store). */
  dir: string;
  napiBuildVersion: number;
  /** Where the package's index.js looks for tfjs_binding.node. */
  bindingPath: string;
  /** The package's own node-pre-gyp. */
  nodePreGyp: string;
}

/** The N-API version node-pre-gyp builds for: the highest the package lists that this Node supports. */
export function napiBuildVersion(listed: number[], nodeNapi: number): number {
  const ok = listed.filter((v) => v <= nodeNapi);
  if (!ok.length) throw new NativeInstallError(`this Node supports N-API ${nodeNapi}, older than any the package builds for (${listed.join(', ')}): use Node 20 or newer`);
  return Math.max(...ok);
}

const requireHere = createRequire(import.meta.url);

export function resolvePackage(variant: Variant, from: NodeJS.Require = requireHere): TfjsNodePackage {
  const name = packageName(variant);
  let manifestPath: string;
  try {
    manifestPath = from.resolve(`${name}/package.json`);
  } catch {
    throw new NativeInstallError(`${name} is not installed: run \`pnpm install\` first`);
  }
  const dir = dirname(manifestPath);
  const pkg = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    version: string;
    binary: { module_name: string; module_path: string; napi_versions: number[] };
  };
  const napi = napiBuildVersion(pkg.binary.napi_versions, Number(process.versions.napi));
  const modulePath = pkg.binary.module_path.replace('{napi_build_version}', String(napi));
  const nodePreGyp = createRequire(manifestPath).resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
  return { name, version: pkg.version, dir, napiBuildVersion: napi, bindingPath: join(dir, modulePath, `${pkg.binary.module_name}.node`), nodePreGyp };
}
