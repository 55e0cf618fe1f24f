import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineArtifact, readArtifact, writeArtifact } from './artifact.ts';

const spec = defineArtifact({ kind: 'test/thing', version: 2, schema: z.object({ n: z.number().int() }), producedBy: 'thing:run' });
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'artifact-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('artifacts', () => {
  it('round-trips a valid artifact', async () => {
    await writeArtifact(spec, join(dir, 'x.json'), { n: 3 });
    expect(await readArtifact(spec, join(dir, 'x.json'))).toEqual({ n: 3 });
  });

  it('refuses to write invalid data', async () => {
    await expect(writeArtifact(spec, join(dir, 'x.json'), { n: 1.5 })).rejects.toThrow(/refusing to write test\/thing/);
  });

  it('names the producing target when missing, and explains a wrong kind, version or shape', async () => {
    await expect(readArtifact(spec, join(dir, 'none.json'))).rejects.toThrow(/nx run thing:run/);
    await writeFile(join(dir, 'k.json'), JSON.stringify({ kind: 'other', version: 2, data: { n: 1 } }));
    await expect(readArtifact(spec, join(dir, 'k.json'))).rejects.toThrow(/holds a other artifact/);
    await writeFile(join(dir, 'v.json'), JSON.stringify({ kind: 'test/thing', version: 1, data: { n: 1 } }));
    await expect(readArtifact(spec, join(dir, 'v.json'))).rejects.toThrow(/version 1.*reads version 2/);
    await writeFile(join(dir, 's.json'), JSON.stringify({ kind: 'test/thing', version: 2, data: { n: 'x' } }));
    await expect(readArtifact(spec, join(dir, 's.json'))).rejects.toThrow(/does not match its schema/);
    await writeFile(join(dir, 'j.json'), '{oops');
    await expect(readArtifact(spec, join(dir, 'j.json'))).rejects.toThrow(/not valid JSON/);
  });

  it('refuses an artifact whose data changed after it was written (same length, valid schema), naming the file and the rerun', async () => {
    const file = join(dir, 'x.json');
    await writeArtifact(spec, file, { n: 31 });
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"n":31', '"n":32'));
    await expect(readArtifact(spec, file)).rejects.toThrow(
      `${file} (test/thing) changed after it was written (its data no longer matches the sha256 recorded with it): rerun \`nx run thing:run\``,
    );
    // Reformatting is no change: the digest is of the data, not of the bytes.
    await writeFile(file, JSON.stringify(JSON.parse(text), null, 2));
    expect(await readArtifact(spec, file)).toEqual({ n: 31 });
    await writeFile(file, JSON.stringify({ kind: 'test/thing', version: 2, data: { n: 5 } }));
    expect(await readArtifact(spec, file)).toEqual({ n: 5 });
  });
});
