/**
 * Nx runtime input of preprocess:run (see tools/nx-plugin): prints the fingerprint of a data root,
 * `fingerprint-main.ts <data.root> <sidecar file>`. The photos live outside what Nx hashes (data/
 * is gitignored, or the root is elsewhere). Loads no tfjs and no image codec.
 */
import { fingerprintDataRoot } from './fingerprint.ts';

const [root, sidecar] = process.argv.slice(2);
if (!root || !sidecar) {
  console.error('usage: fingerprint-main.ts <data root> <sidecar file>');
  process.exit(2);
}
try {
  console.log(await fingerprintDataRoot(root, { cacheFile: sidecar }));
} catch (err) {
  console.error(`cannot fingerprint the data root ${root}: ${(err as Error).message}`);
  process.exit(1);
}
