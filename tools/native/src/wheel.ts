import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { noPipError, pipError } from './errors.ts';

/**
 * Where a wheel member goes in the library folder, or null to skip it: the two shared objects
 * and the C headers tfjs-node's binding includes (tensorflow/c and what it pulls in from
 * tensorflow/core/platform, tsl/platform and xla/tsl/c). The rest of the 1.2 GB wheel is Python.
 */
export function wheelMember(name: string): string | null {
  if (name === 'tensorflow/libtensorflow_cc.so.2' || name === 'tensorflow/libtensorflow_framework.so.2') {
    return `lib/${name.slice('tensorflow/'.length)}`;
  }
  const inc = 'tensorflow/include/';
  if (!name.startsWith(inc) || name.endsWith('/')) return null;
  const rel = name.slice(inc.length);
  const keep = ['tensorflow/c/', 'tensorflow/core/platform/', 'tsl/platform/', 'xla/tsl/c/'];
  return keep.some((p) => rel.startsWith(p)) && !rel.includes('..') ? `include/${rel}` : null;
}

/** The first pip that answers: `python3 -m pip`, `pip3`, `pip`, or FACEMASK_PIP. */
export function findPip(env: Record<string, string | undefined> = process.env): string[] {
  const candidates = env.FACEMASK_PIP?.trim() ? [env.FACEMASK_PIP.trim().split(/\s+/)] : [['python3', '-m', 'pip'], ['pip3'], ['pip']];
  for (const cmd of candidates) {
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), '--version'], { encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status === 0) return cmd;
  }
  throw noPipError();
}

/** `pip download` of one wheel into `dir`; resolves to its path. pip's own chatter is kept for the error. */
export async function pipDownload(pip: string[], project: string, version: string, dir: string, env: Record<string, string | undefined>): Promise<string> {
  const requirement = `${project}==${version}`;
  const args = [...pip.slice(1), 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', requirement, '-d', dir];
  const r = spawnSync(pip[0]!, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  const output = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  if (r.error) throw noPipError();
  if (r.status !== 0) throw pipError(output, requirement);
  const prefix = `${project.replace(/-/g, '_')}-${version}-`;
  const wheel = (await readdir(dir)).find((f) => f.startsWith(prefix) && f.endsWith('.whl'));
  if (!wheel) throw pipError(`ERROR: pip reported success but left no ${prefix}*.whl in ${dir}`, requirement);
  return join(dir, wheel);
}

/** Extracts the members wheelMember keeps into `dir`; resolves to the bytes written. */
export async function extractWheel(wheel: string, dir: string): Promise<number> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(wheel, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      const out = wheelMember(entry.fileName);
      if (!out) {
        zip.readEntry();
        return;
      }
      const dest = join(dir, out);
      zip.openReadStream(entry, (err, stream) => {
        if (err) {
          reject(err);
          return;
        }
        mkdir(dirname(dest), { recursive: true })
          .then(() => pipeline(stream, createWriteStream(dest)))
          .then(() => chmod(dest, out.startsWith('lib/') ? 0o755 : 0o644))
          .then(() => {
            bytes += entry.uncompressedSize;
            zip.readEntry();
          })
          .catch(reject);
      });
    });
    zip.readEntry();
  });
  return bytes;
}
