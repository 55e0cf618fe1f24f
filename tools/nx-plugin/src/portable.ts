import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { PipelineConfig } from '@facemask/contracts';

/** What a file or folder holds, as one digest (a folder: its files' relative paths and bytes). */
export async function contentDigest(path: string): Promise<string | null> {
  const info = await stat(path).catch(() => null);
  if (!info) return null;
  const h = createHash('sha256');
  const files = info.isDirectory() ? await listFiles(path) : [path];
  for (const f of files) {
    h.update(`${info.isDirectory() ? relative(path, f) : ''}\0`);
    for await (const chunk of createReadStream(f)) h.update(chunk as Buffer);
    h.update('\0');
  }
  return h.digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * The config as a cache key sees it: the same on every machine and clone. Paths name files
 * where they happen to lie; a key takes what they hold instead. The data root becomes a
 * placeholder (preprocess and detect key on its fingerprint, and every later stage on their
 * outputs), files the config names become their digests, the work folder its workspace-relative
 * path.
 */
export async function portableConfig(cfg: PipelineConfig, work: string): Promise<PipelineConfig> {
  const digest = async (p: string) => `sha256:${(await contentDigest(p)) ?? 'missing'}`;
  const c = cfg.preprocess.corrections;
  const pretrained = cfg.model.pretrained;
  return {
    ...cfg,
    data: {
      ...cfg.data,
      root: '<data root: see its fingerprint>',
      work,
      evalLabels: cfg.data.evalLabels ? await digest(cfg.data.evalLabels) : cfg.data.evalLabels,
    },
    preprocess: { ...cfg.preprocess, corrections: c && c !== 'builtin' ? await digest(c) : c },
    model: { ...cfg.model, pretrained: pretrained && pretrained !== 'face-api' ? await digest(pretrained) : pretrained },
  };
}
