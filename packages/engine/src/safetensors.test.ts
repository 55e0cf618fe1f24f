import { resolve } from 'node:path';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseSafetensors, readSafetensors, serializeSafetensors, tensorData, writeSafetensors } from './safetensors.ts';
import { loadManifest, referenceDir } from '@facemask/contracts/reference';

describe('safetensors', () => {
  it('reads every tensor file the reference manifest lists, with consistent shapes', async () => {
    const dir = referenceDir();
    const files = new Set(loadManifest(dir).cases.flatMap((c) => Object.values(c.files)).filter((f) => f.endsWith('.safetensors')));
    expect(files.size).toBeGreaterThan(0);
    for (const f of files) {
      const st = await readSafetensors(resolve(dir, f));
      expect(st.tensors.size).toBeGreaterThan(0);
      for (const [name, t] of st.tensors) {
        const n = t.shape.reduce((a, b) => a * b, 1);
        expect(tensorData(t).length, name).toBe(n);
      }
    }
  });

  it('round-trips mixed dtypes with aligned offsets', async () => {
    const f32 = new Float32Array([1.5, -2, 3.25, 4]);
    const u8 = new Uint8Array([1, 2, 3]);
    const i32 = new Int32Array([7, -8]);
    const bytes = serializeSafetensors(
      { b: { dtype: 'U8', shape: [3], data: u8 }, a: { dtype: 'F32', shape: [2, 2], data: f32 }, c: { dtype: 'I32', shape: [2], data: i32 } },
      { note: 'x' },
    );
    const view = new DataView(bytes.buffer);
    const n = Number(view.getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const back = parseSafetensors(bytes);
    expect(back.metadata.note).toBe('x');
    expect([...(tensorData(back.tensors.get('a')!) as Float32Array)]).toEqual([...f32]);
    expect([...(tensorData(back.tensors.get('b')!) as Uint8Array)]).toEqual([...u8]);
    expect([...(tensorData(back.tensors.get('c')!) as Int32Array)]).toEqual([...i32]);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { data_offsets: [number, number] }>;
    // widest first: the F32 and I32 tensors precede the U8 one
    expect(header.b!.data_offsets[0]).toBeGreaterThanOrEqual(header.a!.data_offsets[1]);

    const dir = await mkdtemp(resolve(tmpdir(), 'st-'));
    try {
      const p = resolve(dir, 'x.safetensors');
      await writeSafetensors(p, { a: { dtype: 'F32', shape: [4], data: f32 } });
      expect((await readFile(p)).length).toBeGreaterThan(16);
      expect([...(tensorData((await readSafetensors(p)).tensors.get('a')!) as Float32Array)]).toEqual([...f32]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a truncated file with a message naming it', () => {
    const bytes = serializeSafetensors({ a: { dtype: 'F32', shape: [4], data: new Float32Array(4) } });
    expect(() => parseSafetensors(bytes.subarray(0, bytes.length - 3), 'w.safetensors')).toThrow(/w\.safetensors.*inconsistent/);
  });
});
