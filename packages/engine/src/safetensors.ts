import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@facemask/contracts';

/**
 * The safetensors format: u64-LE header length N, N bytes of JSON header, then raw little-endian
 * data with offsets relative to the end of the header. Node Buffers may sit at unaligned offsets in
 * a shared pool, so every tensor is copied into its own ArrayBuffer before typed views are made.
 */

export type SafeDtype = 'F64' | 'F32' | 'F16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  /** Raw little-endian bytes, in an ArrayBuffer of its own. */
  bytes: Uint8Array;
}

const ELEMENT_SIZE: Record<SafeDtype, number> = { F64: 8, F32: 4, F16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

export function parseSafetensors(buf: Uint8Array, source = '<buffer>'): SafetensorsFile {
  if (buf.byteLength < 8) throw new SafetensorsError(`${source}: too short to be a safetensors file`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n <= 0 || 8 + n > buf.byteLength) throw new SafetensorsError(`${source}: bad header length ${n}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch {
    throw new SafetensorsError(`${source}: header is not JSON`);
  }
  const dataStart = 8 + n;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (info ?? {}) as Record<string, string>;
      continue;
    }
    const t = info as { dtype: SafeDtype; shape: number[]; data_offsets: [number, number] };
    if (!(t.dtype in ELEMENT_SIZE)) throw new SafetensorsError(`${source}: tensor ${name} has unsupported dtype ${t.dtype}`);
    const [begin, end] = t.data_offsets;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * ELEMENT_SIZE[t.dtype] || dataStart + end > buf.byteLength) {
      throw new SafetensorsError(`${source}: tensor ${name} has inconsistent offsets`);
    }
    // slice() copies into a fresh, aligned ArrayBuffer.
    const bytes = buf.slice(dataStart + begin, dataStart + end);
    tensors.set(name, { dtype: t.dtype, shape: t.shape, bytes });
  }
  return { tensors, metadata };
}

export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new SafetensorsError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseSafetensors(buf, path);
}

/** Typed view of a tensor's data. I64 is narrowed to numbers (safe for the counters it holds). */
export function tensorData(t: SafeTensor): Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array {
  const b = t.bytes.buffer.slice(t.bytes.byteOffset, t.bytes.byteOffset + t.bytes.byteLength) as ArrayBuffer;
  switch (t.dtype) {
    case 'F32':
      return new Float32Array(b);
    case 'F64':
      return new Float64Array(b);
    case 'F16':
      return halfToFloat(new Uint16Array(b));
    case 'I32':
      return new Int32Array(b);
    case 'I16':
      return new Int16Array(b);
    case 'I8':
      return new Int8Array(b);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(b);
    case 'I64': {
      const big = new BigInt64Array(b);
      return Int32Array.from(big, (v) => Number(v));
    }
  }
}

/** Float32 data of a tensor, converting from other float types. */
export function tensorF32(t: SafeTensor): Float32Array {
  const d = tensorData(t);
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const x = h[i] as number;
    const s = x & 0x8000 ? -1 : 1;
    const e = (x >> 10) & 0x1f;
    const f = x & 0x3ff;
    out[i] = e === 0 ? s * 2 ** -14 * (f / 1024) : e === 31 ? (f ? NaN : s * Infinity) : s * 2 ** (e - 15) * (1 + f / 1024);
  }
  return out;
}

export interface TensorToWrite {
  dtype: SafeDtype;
  shape: number[];
  data: ArrayBufferView;
}

/** Serialises tensors, widest dtype first so every tensor is naturally aligned in the file. */
export function serializeSafetensors(tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  entries.sort((a, b) => ELEMENT_SIZE[b[1].dtype] - ELEMENT_SIZE[a[1].dtype] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const size = count * ELEMENT_SIZE[t.dtype];
    if (t.data.byteLength !== size) {
      throw new SafetensorsError(`tensor ${name}: ${t.data.byteLength} bytes for shape [${t.shape}] ${t.dtype} (expected ${size})`);
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

export async function writeSafetensors(
  path: string,
  tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}
