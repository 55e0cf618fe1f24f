import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvalList } from '@facemask/contracts';
import { predictMain, runExport } from '@facemask/ship';
import { tinyRun, useTestEngine } from '@facemask/ship/testing';
import { startKiosk, type Kiosk } from './server.ts';
import { launchChromium } from './testing/browser.ts';

/**
 * The kiosk page in headless Chromium: it loads an exported model, is handed a photo through its
 * file input, and shows the class `pnpm predict` gives the same photo, with no console error.
 * KIOSK_SCREENSHOT=path keeps a screenshot of the answer (the README's).
 */
describe('the kiosk page', () => {
  let kiosk: Kiosk;
  let browser: Browser;
  let model: string;
  const photos: string[] = [];

  beforeAll(async () => {
    await useTestEngine();
    const run = await tinyRun();
    const dir = await mkdtemp(join(tmpdir(), 'kiosk-'));
    model = join(dir, 'model');
    await runExport(run.cfg, { out: model });
    // PNG: the browser's decoder and sharp's then agree to the bit. The last is a JPEG the camera
    // says to turn (EXIF orientation 6): training never turns, so neither may the page.
    const images = (await readEvalList(run.cfg.data.work)).images.slice(0, 3);
    for (const e of images.slice(0, 2)) {
      const png = join(dir, e.ImageID.replace(/\.\w+$/, '.png'));
      await sharp(e.path).png().toFile(png);
      photos.push(png);
    }
    const turned = join(dir, 'turned.jpg');
    await sharp(images[2]!.path).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(turned);
    photos.push(turned);
    kiosk = await startKiosk({ model, port: 0 });
    browser = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await kiosk?.close();
  });

  async function open(query = ''): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${kiosk.url}${query}`);
    await page.waitForSelector('#status[data-state="ready"], #status[data-state="error"]', { timeout: 60_000 });
    return { page, errors };
  }

  async function answer(page: Page, photo: string): Promise<{ cls: number; confidence: number; words: string }> {
    // Each photo waits for its own answer.
    await page.evaluate(() => document.getElementById('answer')!.setAttribute('data-state', 'empty'));
    await page.setInputFiles('#file', photo);
    const el = await page.waitForSelector('#answer[data-state="done"], #answer[data-state="error"]', { timeout: 60_000 });
    expect(await el.getAttribute('data-state'), (await page.textContent('#status')) ?? '').toBe('done');
    return { cls: Number(await el.getAttribute('data-class')), confidence: Number(await el.getAttribute('data-confidence')), words: (await el.textContent()) ?? '' };
  }

  async function predicted(photo: string): Promise<{ class: number; confidence: number; mask: string; gender: string; age: string }> {
    const out: string[] = [];
    const code = await predictMain(['--model', model, '--format', 'jsonl', '--quiet', photo], (l) => out.push(l), () => {});
    expect(code).toBe(0);
    return JSON.parse(out[0]!) as { class: number; confidence: number; mask: string; gender: string; age: string };
  }

  it("shows pnpm predict's class for the same photo, with no console error", async () => {
    const { page, errors } = await open();
    expect(await page.getAttribute('#status', 'data-state'), (await page.textContent('#status')) ?? '').toBe('ready');
    expect(['webgl', 'wasm', 'cpu']).toContain(await page.getAttribute('#status', 'data-backend'));
    for (const photo of photos) {
      const got = await answer(page, photo);
      const want = await predicted(photo);
      expect(await page.evaluate(() => (document.getElementById('photo') as HTMLCanvasElement).width)).toBe((await sharp(photo).metadata()).width);
      expect(got.cls).toBe(want.class);
      expect(got.words).toBe(`${want.mask} / ${want.gender} / ${want.age}`);
      expect(Math.abs(got.confidence - want.confidence)).toBeLessThan(0.01);
    }
    const shot = process.env.KIOSK_SCREENSHOT || join(await mkdtemp(join(tmpdir(), 'kiosk-shot-')), 'kiosk.png');
    await page.screenshot({ path: shot });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs on wasm and on cpu when asked, with the same answer', async () => {
    const want = await predicted(photos[0]!);
    for (const backend of ['wasm', 'cpu']) {
      const { page, errors } = await open(`?backend=${backend}`);
      expect(await page.getAttribute('#status', 'data-backend')).toBe(backend);
      expect((await answer(page, photos[0]!)).cls).toBe(want.class);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it("answers for a frame of the camera (Chromium's fake camera)", async () => {
    const cam = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
    try {
      const page = await cam.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(kiosk.url);
      await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
      await page.click('#camera');
      await page.waitForSelector('#shoot:not([hidden])', { timeout: 30_000 });
      await page.click('#shoot');
      const el = await page.waitForSelector('#answer[data-state="done"], #answer[data-state="error"]', { timeout: 60_000 });
      expect(await el.getAttribute('data-state'), (await page.textContent('#status')) ?? '').toBe('done');
      expect(Number(await el.getAttribute('data-class'))).toBeGreaterThanOrEqual(0);
      expect(await page.textContent('#detail')).toMatch(/^class \d+ · confidence [\d.]+% · camera$/);
      expect(errors).toEqual([]);
    } finally {
      await cam.close();
    }
  });

  it('serves only the page, the model folder and the wasm binaries', async () => {
    const get = (path: string) => fetch(new URL(path, kiosk.url)).then((r) => r.status);
    expect(await get('model/manifest.json')).toBe(200);
    expect(await get('tfjs-wasm/tfjs-backend-wasm-simd.wasm')).toBe(200);
    expect(await get('model/..%2F..%2Fetc%2Fpasswd')).toBe(404);
    expect(await get('package.json')).toBe(404);
  });

  it('refuses a folder that is not an exported model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kiosk-empty-'));
    await writeFile(join(dir, 'x.txt'), '');
    await expect(startKiosk({ model: dir, port: 0 })).rejects.toThrow(/has no manifest\.json: point --model at a folder written by `pnpm export`/);
  });
});
