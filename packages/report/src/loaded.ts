import { access } from 'node:fs/promises';

/** An input of the report: read, or the reason it could not be (a missing or invalid artifact). */
export type Loaded<T> = { ok: true; value: T } | { ok: false; problem: string };

export const loaded = <T>(value: T): Loaded<T> => ({ ok: true, value });
export const absent = <T>(problem: string): Loaded<T> => ({ ok: false, problem });

/**
 * Runs a reader and keeps its error message instead of throwing: a broken run still gets a page.
 * Artifact errors already name the file and the target that writes it.
 */
export async function load<T>(read: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return loaded(await read());
  } catch (err) {
    return absent(err instanceof Error ? err.message : String(err));
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
