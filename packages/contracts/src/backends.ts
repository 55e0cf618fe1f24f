/**
 * The tfjs engines, in the order `auto` tries them (fastest first): the one vocabulary of
 * `--backend`, TFJS_BACKEND and the config's `backend`. The config schema and
 * @facemask/engine's backend choice both read it, so a new engine is added here once.
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendPreference = 'auto' | BackendName;
export const BACKEND_PREFERENCES = ['auto', ...BACKEND_NAMES] as const satisfies readonly BackendPreference[];

/**
 * The `--backend` option of every command that runs a model (stages, predict, the pipeline): the
 * names from BACKEND_PREFERENCES, so a new engine reaches every help text and check at once.
 * `beats` says what the flag takes precedence over for that command.
 */
export function backendOptionArgs(beats: string): [flags: string, description: string] {
  return ['--backend <name>', `tfjs engine: ${BACKEND_PREFERENCES.join(', ')} (${beats})`];
}
