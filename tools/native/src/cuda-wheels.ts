import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import yauzl from 'yauzl';
import { NativeInstallError } from './errors.ts';
import { extractWheel, pipDownloadRequirement } from './wheel.ts';

/**
 * TensorFlow's GPU wheel carries libtensorflow_cc.so.2 but not CUDA: its `and-cuda` extra names
 * NVIDIA's wheels (cuBLAS, cuDNN, ...), whose shared objects TensorFlow dlopens at run time from
 * the loader's path. native:install fetches the ones that extra names, keeps their libraries in
 * the library folder and says which LD_LIBRARY_PATH to export.
 */
export interface CudaRequirement {
  /** Normalised project name, e.g. nvidia-cudnn-cu12. */
  project: string;
  /** As the metadata names it, e.g. nvidia-cudnn-cu12<10.0,>=9.3.0.75: what pip is asked for. */
  requirement: string;
}

/** Where a CUDA wheel's libraries were put, as library.json records it. */
export interface CudaWheel {
  requirement: string;
  /** The wheel file pip chose. */
  wheel: string;
  /** Folders holding its shared objects, relative to the library folder (cuda/<pkg>/lib). */
  libDirs: string[];
}

const AND_CUDA = /\bextra\s*==\s*["']and[-_.]cuda["']/;

/** The nvidia-* requirements a wheel's METADATA lists under its `and-cuda` extra, in order. */
export function cudaRequirements(metadata: string): CudaRequirement[] {
  const out: CudaRequirement[] = [];
  for (const line of metadata.split(/\r?\n/)) {
    // The headers end at the first blank line; the description after it is free text.
    if (line === '') break;
    const m = /^Requires-Dist:\s*([^;]+?)\s*;\s*(.+)$/.exec(line);
    if (!m || !AND_CUDA.test(m[2]!)) continue;
    const req = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*\(?([^)]*)\)?$/.exec(m[1]!);
    if (!req) continue;
    const project = req[1]!.toLowerCase().replace(/[-_.]+/g, '-');
    if (!project.startsWith('nvidia-')) continue;
    out.push({ project, requirement: `${project}${req[2]!.replace(/\s+/g, '')}` });
  }
  return out;
}

/** `nvidia/<pkg>/lib/<lib>.so*` -> `cuda/<pkg>/lib/<lib>.so*`; everything else (headers, Python, binaries) is skipped. */
export function cudaMember(name: string): string | null {
  const m = /^nvidia\/([A-Za-z0-9_.-]+)\/lib\/([^/]+\.so(?:\.[A-Za-z0-9_.]+)?)$/.exec(name);
  if (!m || m[1] === '..' || m[1] === '.' || m[2]!.startsWith('.')) return null;
  return `cuda/${m[1]}/lib/${m[2]}`;
}

/** The text of a wheel's `<name>.dist-info/METADATA`. */
export async function wheelMetadata(wheel: string): Promise<string> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(wheel, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  return new Promise<string>((resolve, reject) => {
    let found = false;
    zip.on('error', reject);
    zip.on('end', () => {
      if (!found) reject(new NativeInstallError(`${basename(wheel)} has no *.dist-info/METADATA: it is not a complete wheel; delete it and rerun`));
    });
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!/^[^/]+\.dist-info\/METADATA$/.test(entry.fileName)) {
        zip.readEntry();
        return;
      }
      found = true;
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          zip.close();
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
      });
    });
    zip.readEntry();
  });
}

/**
 * Fetches every CUDA wheel `tensorflowWheel`'s `and-cuda` extra names (`pip download --no-deps
 * --only-binary=:all:`, each into a folder of its own under `downloads`, deleted afterwards) and
 * extracts their libraries into `dir`/cuda/<pkg>/lib.
 */
export async function fetchCudaWheels(opts: {
  tensorflowWheel: string;
  dir: string;
  downloads: string;
  pip: string[];
  env: Record<string, string | undefined>;
  log: (line: string) => void;
}): Promise<CudaWheel[]> {
  const reqs = cudaRequirements(await wheelMetadata(opts.tensorflowWheel));
  if (!reqs.length) {
    throw new NativeInstallError(
      `${basename(opts.tensorflowWheel)} names no nvidia-* wheels under its and-cuda extra, so native:install cannot tell which CUDA libraries it needs: set LIBTENSORFLOW_DIR to a TensorFlow GPU library whose CUDA is installed`,
    );
  }
  opts.log(`cuda: ${reqs.length} wheels from its and-cuda extra: ${reqs.map((r) => r.requirement).join(' ')}`);
  const out: CudaWheel[] = [];
  for (const r of reqs) {
    const folder = await mkdtemp(join(opts.downloads, `${r.project}-`));
    try {
      const wheel = await pipDownloadRequirement(opts.pip, r.project, r.requirement, folder, opts.env);
      const dirs = new Set<string>();
      const bytes = await extractWheel(wheel, opts.dir, (name) => {
        const out = cudaMember(name);
        if (out) dirs.add(out.slice(0, out.lastIndexOf('/')));
        return out;
      });
      const libDirs = [...dirs].sort().filter((d) => existsSync(join(opts.dir, d)));
      opts.log(`cuda: ${basename(wheel)}: ${(bytes / 1e6).toFixed(0)} MB into ${libDirs.join(', ') || 'nothing (it has no nvidia/*/lib/*.so*)'}`);
      out.push({ requirement: r.requirement, wheel: basename(wheel), libDirs });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }
  return out;
}

/** The absolute CUDA library folders of a library folder, in library.json's order, without repeats. */
export function cudaLibDirs(libraryDir: string, wheels: CudaWheel[]): string[] {
  return [...new Set(wheels.flatMap((w) => w.libDirs.map((d) => join(libraryDir, d))))];
}

/**
 * The line to run before any process that loads the GPU binding: the dynamic loader reads
 * LD_LIBRARY_PATH when a process starts, so Node cannot set it for itself.
 */
export function exportLine(dirs: string[]): string {
  return `export LD_LIBRARY_PATH="${dirs.join(':')}\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"`;
}
