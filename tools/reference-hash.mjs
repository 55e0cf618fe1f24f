// An Nx runtime input of every test target: the hash of the PyTorch fixtures the parity tests read.
// They live outside the workspace (the folder REFERENCE_DIR names, relative to the repository root;
// default ../shared/reference), and Nx ignores file inputs outside the workspace, so without this
// a changed fixture would leave cached test results standing. Every file counts, not only
// manifest.json: a regenerated tensor file with the same manifest must rerun the tests too.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = resolve(root, process.env.REFERENCE_DIR ?? '../shared/reference');
if (!existsSync(dir)) {
  console.log(`reference ${dir} missing`);
} else {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const all = createHash('sha256');
  for (const f of files) all.update(`${relative(dir, f)}\0${createHash('sha256').update(readFileSync(f)).digest('hex')}\n`);
  console.log(`reference ${dir} ${files.length} files ${all.digest('hex')}`);
}
