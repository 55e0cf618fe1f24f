import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { c as tarCreate } from 'tar';

/**
 * A miniature of libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz, built in `dir`/src: the same layout
 * (lib/ with versioned libraries and their .so.2 links, include/tensorflow/c/c_api.h), files
 * holding one word each ("main", "framework") so a test can tell which one it unpacked.
 */
export async function miniLibtensorflowTarball(dir: string): Promise<Buffer> {
  const src = join(dir, 'src');
  mkdirSync(join(src, 'lib'), { recursive: true });
  mkdirSync(join(src, 'include', 'tensorflow', 'c'), { recursive: true });
  writeFileSync(join(src, 'lib', 'libtensorflow.so.2.9.1'), 'main');
  symlinkSync('libtensorflow.so.2.9.1', join(src, 'lib', 'libtensorflow.so.2'));
  writeFileSync(join(src, 'lib', 'libtensorflow_framework.so.2.9.1'), 'framework');
  symlinkSync('libtensorflow_framework.so.2.9.1', join(src, 'lib', 'libtensorflow_framework.so.2'));
  writeFileSync(join(src, 'include', 'tensorflow', 'c', 'c_api.h'), '// c api');
  const chunks: Buffer[] = [];
  for await (const chunk of tarCreate({ gzip: true, cwd: src }, ['lib', 'include'])) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
