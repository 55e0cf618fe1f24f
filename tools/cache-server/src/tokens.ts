import { createHash, timingSafeEqual } from 'node:crypto';

export type Access = 'read-write' | 'read-only';

/** The variable Nx's client reads its token from; the server takes its read-write token from it too. */
export const READ_WRITE_TOKEN_ENV = 'NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN';
/** A second token that may only GET (machines that must not publish, e.g. pull-request jobs). */
export const READ_ONLY_TOKEN_ENV = 'FACEMASK_CACHE_READ_ONLY_TOKEN';

export interface Tokens {
  readWrite: string;
  readOnly?: string;
}

/** `null` serves everyone read-write (`--no-auth`). */
export type AuthPolicy = Tokens | null;

// Digests first: timingSafeEqual needs equal lengths, and comparing digests leaks no length.
function same(a: string, b: string): boolean {
  const d = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(d(a), d(b));
}

/** What an `Authorization` header grants: an access level, or null for a missing or unknown token. */
export function accessFor(header: string | undefined, policy: AuthPolicy): Access | null {
  if (policy === null) return 'read-write';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return null;
  // Both comparisons always run, so the answer's timing does not tell which token matched.
  const rw = same(m[1], policy.readWrite);
  const ro = policy.readOnly !== undefined && same(m[1], policy.readOnly);
  return rw ? 'read-write' : ro ? 'read-only' : null;
}

/**
 * The tokens from the environment, or why the server must not start: it never runs open unless
 * told `--no-auth`, and a token given alongside `--no-auth` would look like protection it is not.
 */
export function tokensFromEnv(env: NodeJS.ProcessEnv, noAuth: boolean): AuthPolicy {
  const readWrite = env[READ_WRITE_TOKEN_ENV] || undefined;
  const readOnly = env[READ_ONLY_TOKEN_ENV] || undefined;
  if (noAuth) {
    if (readWrite || readOnly) {
      throw new Error(`--no-auth was given but ${readWrite ? READ_WRITE_TOKEN_ENV : READ_ONLY_TOKEN_ENV} is set: unset it to run without tokens, or drop --no-auth`);
    }
    return null;
  }
  if (!readWrite) {
    throw new Error(`no token: set ${READ_WRITE_TOKEN_ENV} (the read-write token; ${READ_ONLY_TOKEN_ENV} adds a read-only one), or pass --no-auth to serve anyone who can reach the port`);
  }
  if (readOnly === readWrite) throw new Error(`${READ_ONLY_TOKEN_ENV} equals ${READ_WRITE_TOKEN_ENV}: the read-only token must differ, or it grants writes`);
  return readOnly ? { readWrite, readOnly } : { readWrite };
}
