import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featuresMetaArtifact, readArtifact, workLayout } from '@facemask/contracts';
import { readFeatures, writeFeatures } from './features-io.ts';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'features-io-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

const meta = { paramsHash: 'p', engine: 'cpu', dataset: 'd', optionsHash: 'o', height: 8, width: 8 };
const table = { dim: 4, count: 3, plain: Float32Array.from({ length: 12 }, (_, i) => i / 10), flipped: Float32Array.from({ length: 12 }, (_, i) => -i / 10) };

describe('the feature table on disk', () => {
  it('is read back as written (writeFeatures returns the sha256 it recorded), and refused once overwritten in place with valid floats of the same size', async () => {
    const sha = await writeFeatures(work, table, meta);
    expect(sha).toBe((await readArtifact(featuresMetaArtifact, workLayout.features(work).meta)).tableSha256);
    const back = await readFeatures(work, { ...meta, count: 3 });
    expect([...back.plain]).toEqual([...table.plain]);
    expect([...back.flipped]).toEqual([...table.flipped]);
    const file = workLayout.features(work).table;
    const fh = await open(file, 'r+');
    const { size } = await fh.stat();
    await fh.write(new Uint8Array(new Float32Array([0.5, 0.25]).buffer), 0, 8, size - 8);
    await fh.close();
    await expect(readFeatures(work, { ...meta, count: 3 })).rejects.toThrow(
      `${file} does not have the sha256 train:features recorded when it wrote it (changed on disk since): rerun \`nx run train:features --skip-nx-cache\``,
    );
  });
});
