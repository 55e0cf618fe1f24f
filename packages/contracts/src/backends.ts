/**
 * The tfjs engines, in the order `auto` tries them (fastest first): the one vocabulary of
 * `--backend`, TFJS_BACKEND and the config's `backend`. The config schema and
 * @facemask/engine's backend choice both read it, so a new engine is added here once.
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendPreference = 'auto' | BackendName;
export const BACKEND_PREFERENCES = ['auto', ...BACKEND_NAMES] as const satisfies readonly BackendPreference[];
