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

/** `pip download --no-deps --only-binary=:all:` of one requirement into `dir`; pip's own chatter is kept for the error. */
function runPipDownload(pip: string[], requirement: string, dir: string, env: Record<string, string | undefined>): void {
  const args = [...pip.slice(1), 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', requirement, '-d', dir];
  const r = spawnSync(pip[0]!, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  const output = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  if (r.error) throw noPipError();
  if (r.status !== 0) throw pipError(output, requirement);
}

/** The file-name prefix of a project's wheels: PEP 427 writes the name with `_` for `-` and `.`. */
export function wheelPrefix(project: string): string {
  return `${project.toLowerCase().replace(/[-_.]+/g, '_')}-`;
}

/** `pip download` of one wheel into `dir`; resolves to its path. */
export async function pipDownload(pip: string[], project: string, version: string, dir: string, env: Record<string, string | undefined>): Promise<string> {
  const requirement = `${project}==${version}`;
  runPipDownload(pip, requirement, dir, env);
  const prefix = `${wheelPrefix(project)}${version}-`;
  const wheel = (await readdir(dir)).find((f) => f.toLowerCase().startsWith(prefix) && f.endsWith('.whl'));
  if (!wheel) throw pipError(`ERROR: pip reported success but left no ${prefix}*.whl in ${dir}`, requirement);
  return join(dir, wheel);
}

/**
 * `pip download` of a requirement as a wheel's metadata names it (a range such as
 * `nvidia-cudnn-cu12<10.0,>=9.3.0.75`: pip picks the newest that fits) into `dir`, a folder of
 * its own; resolves to the one wheel of `project` there.
 */
export async function pipDownloadRequirement(pip: string[], project: string, requirement: string, dir: string, env: Record<string, string | undefined>): Promise<string> {
  runPipDownload(pip, requirement, dir, env);
  const prefix = wheelPrefix(project);
  const wheels = (await readdir(dir)).filter((f) => f.toLowerCase().startsWith(prefix) && f.endsWith('.whl'));
  if (wheels.length !== 1) throw pipError(`ERROR: pip reported success but left ${wheels.length} ${prefix}*.whl in ${dir}`, requirement);
  return join(dir, wheels[0]!);
}

/**
 * Extracts the members `member` keeps (wheelMember by default: the library and its headers) into
 * `dir`; resolves to the bytes written. Shared objects get the executable bit.
 */
export async function extractWheel(wheel: string, dir: string, member: (name: string) => string | null = wheelMember): Promise<number> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(wheel, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      const out = member(entry.fileName);
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
          .then(() => chmod(dest, /\.so(\.|$)/.test(out) ? 0o755 : 0o644))
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
