export { HASH_PATTERN, isValidHash } from './hash.ts';
export { DirStore, IncompleteUpload, type PutResult } from './store.ts';
export { cacheHandler, startCacheServer, type CacheServerOptions, type RunningCacheServer } from './server.ts';
export { accessFor, tokensFromEnv, READ_ONLY_TOKEN_ENV, READ_WRITE_TOKEN_ENV, type Access, type AuthPolicy, type Tokens } from './tokens.ts';
export { parseServeArgs } from './cli.ts';
