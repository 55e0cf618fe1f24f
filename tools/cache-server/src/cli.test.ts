import { describe, expect, it } from 'vitest';
import { parseServeArgs } from './cli.ts';
import { accessFor, READ_ONLY_TOKEN_ENV, READ_WRITE_TOKEN_ENV } from './tokens.ts';

const env = { [READ_WRITE_TOKEN_ENV]: 'rw' };

describe('parseServeArgs', () => {
  it('binds 127.0.0.1 with the token from the variable Nx reads', () => {
    expect(parseServeArgs(['--dir', 'c', '--port', '8090'], env)).toEqual({ dir: 'c', port: 8090, host: '127.0.0.1', auth: { readWrite: 'rw' }, maxEntryBytes: 2048 * 1024 * 1024 });
    expect(parseServeArgs(['--dir', 'c', '--host', '0.0.0.0', '--max-entry-mb', '1'], { ...env, [READ_ONLY_TOKEN_ENV]: 'ro' })).toMatchObject({ host: '0.0.0.0', auth: { readWrite: 'rw', readOnly: 'ro' }, maxEntryBytes: 1024 * 1024 });
  });

  it('refuses to start without a token unless --no-auth, and --no-auth beside a token', () => {
    expect(() => parseServeArgs(['--dir', 'c'], {})).toThrow(/no token: set NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN.*--no-auth/);
    expect(parseServeArgs(['--dir', 'c', '--no-auth'], {}).auth).toBeNull();
    expect(() => parseServeArgs(['--dir', 'c', '--no-auth'], env)).toThrow(/--no-auth was given but NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN is set/);
    expect(() => parseServeArgs(['--dir', 'c', '--no-auth', '--host', '0.0.0.0'], {})).toThrow(/anyone on the network/);
    expect(() => parseServeArgs(['--dir', 'c'], { ...env, [READ_ONLY_TOKEN_ENV]: 'rw' })).toThrow(/must differ/);
  });

  it('names the flag and the fix for bad values', () => {
    expect(() => parseServeArgs([], env)).toThrow(/--dir is required/);
    expect(() => parseServeArgs(['--dir', 'c', '--port', '70000'], env)).toThrow(/--port must be a port number/);
    expect(() => parseServeArgs(['--dir', 'c', '--port', 'x'], env)).toThrow(/--port must be a port number/);
    expect(() => parseServeArgs(['--dir', 'c', '--max-entry-mb', '0'], env)).toThrow(/--max-entry-mb must be a positive/);
    expect(() => parseServeArgs(['--dir', 'c', '--tokn', 'x'], env)).toThrow(/--tokn/);
  });
});

describe('accessFor', () => {
  const policy = { readWrite: 'rw-secret', readOnly: 'ro-secret' };
  it('grants by bearer token', () => {
    expect(accessFor('Bearer rw-secret', policy)).toBe('read-write');
    expect(accessFor('bearer ro-secret', policy)).toBe('read-only');
    expect(accessFor('Bearer rw-secre', policy)).toBeNull();
    expect(accessFor('rw-secret', policy)).toBeNull();
    expect(accessFor(undefined, policy)).toBeNull();
    expect(accessFor(undefined, null)).toBe('read-write');
  });
});
