import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { extract } from 'tar';
import { firstLine } from './errors.ts';

/**
 * Whether the package's own libtensorflow download answers: a HEAD request with a short timeout,
 * so an offline machine (DNS failure, blocked host) falls through to the next source in seconds.
 * Resolves to null when reachable, else the reason.
 */
export async function probe(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
    return e.cause?.code ?? firstLine(e.cause?.message ?? e.message);
  }
}

/** Streams the libtensorflow tarball into `dir` (lib/ + include/), never holding it whole. */
export async function downloadTarball(url: string, dir: string): Promise<void> {
  const res = await fetch(url, { redirect: 'follow' });
  if (!res.ok || !res.body) throw new Error(`GET ${url}: HTTP ${res.status}`);
  await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), extract({ cwd: dir }));
}
