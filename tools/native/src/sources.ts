import { DEFAULT_TENSORFLOW_VERSION, PACKAGE_LIBTENSORFLOW_VERSION, wheelProject, type Variant } from './variant.ts';

export type SourceStep =
  | { kind: 'dir'; dir: string }
  | { kind: 'cached'; source: 'download' | 'wheel'; version: string }
  | { kind: 'download'; url: string; version: string }
  | { kind: 'wheel'; project: string; version: string };

export interface SourcePlanInput {
  variant: Variant;
  env: Record<string, string | undefined>;
  /** Which sources already have a complete library folder in the cache. */
  cached: { download: boolean; wheel: boolean };
  /** Ignore cached libraries and fetch again. */
  refresh?: boolean;
}

/** TensorFlow version of the wheel route; FACEMASK_TENSORFLOW_VERSION picks another release. */
export function wheelVersion(env: Record<string, string | undefined>): string {
  return env.FACEMASK_TENSORFLOW_VERSION?.trim() || DEFAULT_TENSORFLOW_VERSION;
}

/**
 * The URL tfjs-node's own install script downloads, honouring the same variables it does
 * (TFJS_NODE_BASE_URI, TFJS_NODE_CDN_STORAGE, CDN_STORAGE).
 */
export function downloadUrl(variant: Variant, env: Record<string, string | undefined>): string {
  const host = env.TFJS_NODE_CDN_STORAGE || env.npm_config_TFJS_NODE_CDN_STORAGE || env.CDN_STORAGE || 'https://storage.googleapis.com/';
  const base = env.TFJS_NODE_BASE_URI || env.npm_config_TFJS_NODE_BASE_URI || `${host}tensorflow/libtensorflow/libtensorflow-`;
  return `${base}${variant}-linux-x86_64-${PACKAGE_LIBTENSORFLOW_VERSION}.tar.gz`;
}

/**
 * Where the library comes from, in order. LIBTENSORFLOW_DIR is an explicit choice: it is the
 * only step, so a wrong folder is an error rather than a silent download. Otherwise a library
 * already in the cache wins (a rerun touches no network), then the package's own download when
 * reachable, then TensorFlow's wheel through pip.
 */
export function sourcePlan({ variant, env, cached, refresh = false }: SourcePlanInput): SourceStep[] {
  const dir = env.LIBTENSORFLOW_DIR?.trim();
  if (dir) return [{ kind: 'dir', dir }];
  const steps: SourceStep[] = [];
  const wheel = wheelVersion(env);
  if (!refresh) {
    if (cached.download) steps.push({ kind: 'cached', source: 'download', version: PACKAGE_LIBTENSORFLOW_VERSION });
    if (cached.wheel) steps.push({ kind: 'cached', source: 'wheel', version: wheel });
  }
  steps.push({ kind: 'download', url: downloadUrl(variant, env), version: PACKAGE_LIBTENSORFLOW_VERSION });
  steps.push({ kind: 'wheel', project: wheelProject(variant), version: wheel });
  return steps;
}
