import type { FileHandle } from 'node:fs/promises';

/** Writes all of `data` at the handle's position: one write may take only part of it. */
export async function writeFully(fh: FileHandle, data: Uint8Array): Promise<void> {
  let done = 0;
  while (done < data.length) done += (await fh.write(data, done, data.length - done, null)).bytesWritten;
}

/**
 * Fills `out[at, at + length)` from the file at `position`: one read may return only part of it.
 * A file that ends first throws `ended()`'s message.
 */
export async function readFully(fh: FileHandle, out: Uint8Array, at: number, length: number, position: number, ended: () => string): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(out, at + done, length - done, position + done);
    if (bytesRead === 0) throw new Error(ended());
    done += bytesRead;
  }
}
