import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp folder with eval/info.csv; `cleanup` removes it. */
export async function tempData(ids: string[]): Promise<{ dir: string; info: string; write: (name: string, text: string) => Promise<string>; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'submit-'));
  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  await mkdir(join(dir, 'eval'), { recursive: true });
  const info = await write('eval/info.csv', ['ImageID,ans', ...ids.map((id) => `${id},0`)].join('\n') + '\n');
  return { dir, info, write, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function csvText(rows: (string | number)[][], opts: { header?: string; bom?: boolean; crlf?: boolean } = {}): string {
  const eol = opts.crlf ? '\r\n' : '\n';
  const lines = [opts.header ?? 'ImageID,ans', ...rows.map((r) => r.join(','))];
  return (opts.bom ? '\uFEFF' : '') + lines.join(eol) + eol;
}
