import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { expect } from 'vitest';
import { dataFile, readEvalList, type EvalList, type PipelineConfig } from '@facemask/contracts';
import { predictMain, runExport, type PredictJsonLine } from '@facemask/ship';

/**
 * Exports a finished run's model to `<dir>/model` and copies its first `count` eval photos beside
 * it as PNG: the browser's decoder and sharp's agree on PNG to the bit, so the page and
 * `pnpm predict` see the same pixels. Also returns the eval images (their paths where they lie here), for photos made another way.
 */
export async function exportWithPhotos(cfg: PipelineConfig, dir: string, count: number): Promise<{ model: string; photos: string[]; images: EvalList['images'] }> {
  const model = join(dir, 'model');
  await runExport(cfg, { out: model });
  // where the photos lie here (the eval list names them relative to the data root)
  const images = (await readEvalList(cfg.data.work)).images.map((e) => ({ ...e, path: dataFile(cfg.data.root, e.path) }));
  const photos: string[] = [];
  for (const e of images.slice(0, count)) {
    const png = join(dir, e.ImageID.replace(/\.\w+$/, '.png'));
    await sharp(e.path).png().toFile(png);
    photos.push(png);
  }
  return { model, photos, images };
}

/** A new page at `url`, once the model has loaded or failed; `errors` collects console errors. */
export async function openKiosk(browser: Browser, url: string, opts: { viewport?: { width: number; height: number }; timeout?: number } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage(opts.viewport ? { viewport: opts.viewport } : {});
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('#status[data-state="ready"], #status[data-state="error"]', { timeout: opts.timeout ?? 60_000 });
  return { page, errors };
}

export interface PageAnswer {
  /** null when a face-crop model found no face and gave no class. */
  cls: number | null;
  confidence: number | null;
  /** 'found' or 'none' (face-crop models). */
  face: string | null;
  /** "mask / gender / age". */
  words: string;
}

/**
 * The answer element once the page has answered, failed or found no face. Wait for it 'attached',
 * not visible: an error leaves the answer empty, and an empty <output> has no size.
 */
export const ANSWERED = '#answer[data-state="done"], #answer[data-state="no-face"], #answer[data-state="error"]';

/** Hands the page one photo through its file input and reads its answer (each photo waits for its own). */
export async function answerOf(page: Page, photo: string): Promise<PageAnswer> {
  await page.evaluate(() => document.getElementById('answer')!.setAttribute('data-state', 'empty'));
  await page.setInputFiles('#file', photo);
  const el = await page.waitForSelector(ANSWERED, { state: 'attached', timeout: 60_000 });
  expect(await el.getAttribute('data-state'), (await page.textContent('#status')) ?? '').not.toBe('error');
  const num = async (name: string) => {
    const v = await el.getAttribute(name);
    return v === null ? null : Number(v);
  };
  return {
    cls: await num('data-class'),
    confidence: await num('data-confidence'),
    face: await el.getAttribute('data-face'),
    words: (await el.textContent()) ?? '',
  };
}

/** What `pnpm predict` says of the same photo. */
export async function predictedBy(model: string, photo: string): Promise<PredictJsonLine> {
  const out: string[] = [];
  expect(await predictMain(['--model', model, '--format', 'jsonl', '--quiet', photo], (l) => out.push(l), () => {})).toBe(0);
  return JSON.parse(out[0]!) as PredictJsonLine;
}
