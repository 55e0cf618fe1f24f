/**
 * Nx runtime input of preprocess:run (see tools/nx-plugin): prints the fingerprint of the data
 * root named in a small JSON file the plugin writes, `fingerprint-main.ts <{root, sidecar} file>`.
 * The photos live outside what Nx hashes (data/ is gitignored, or the root is elsewhere). Loads no
 * tfjs and no image codec.
 */
import { readFile } from 'node:fs/promises';
import { fingerprintDataRoot } from './fingerprint.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: fingerprint-main.ts <file holding {"root": ..., "sidecar": ...}>');
  process.exit(2);
}
let root = '';
try {
  const args = JSON.parse(await readFile(file, 'utf8')) as { root: string; sidecar: string };
  root = args.root;
  console.log(await fingerprintDataRoot(args.root, { cacheFile: args.sidecar }));
} catch (err) {
  console.error(`cannot fingerprint the data root ${root || `named in ${file}`}: ${(err as Error).message}`);
  process.exit(1);
}
