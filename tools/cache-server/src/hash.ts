/**
 * Nx names an entry by its task hash (decimal digits in Nx 22). The spec only says "string", so
 * letters, digits, `-` and `_` are accepted: nothing that can name another folder (`/`, `.`), be
 * decoded into one (`%`) or hide a temporary file (they start with `.`).
 */
export const HASH_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function isValidHash(hash: string): boolean {
  return HASH_PATTERN.test(hash);
}
