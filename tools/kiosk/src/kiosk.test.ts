import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyRun, useTestEngine } from '@facemask/ship/testing';
import { startKiosk, type Kiosk } from './server.ts';
import { launchChromium } from './testing/browser.ts';
import { ANSWERED, answerOf, exportWithPhotos, openKiosk, predictedBy } from './testing/page.ts';

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
    // The last photo is a JPEG the camera says to turn (EXIF orientation 6): training never
    // turns, so neither may the page.
    const exported = await exportWithPhotos(run.cfg, dir, 2);
    model = exported.model;
    photos.push(...exported.photos);
    const turned = join(dir, 'turned.jpg');
    await sharp(exported.images[2]!.path).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(turned);
    photos.push(turned);
    kiosk = await startKiosk({ model, port: 0 });
    browser = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await kiosk?.close();
  });

  const open = (query = '') => openKiosk(browser, `${kiosk.url}${query}`, { viewport: { width: 900, height: 640 } });

  it("shows pnpm predict's class for the same photo, with no console error", async () => {
    const { page, errors } = await open();
    expect(await page.getAttribute('#status', 'data-state'), (await page.textContent('#status')) ?? '').toBe('ready');
    expect(['webgl', 'wasm', 'cpu']).toContain(await page.getAttribute('#status', 'data-backend'));
    for (const photo of photos) {
      const got = await answerOf(page, photo);
      const want = await predictedBy(model, photo);
      expect(await page.evaluate(() => (document.getElementById('photo') as HTMLCanvasElement).width)).toBe((await sharp(photo).metadata()).width);
      expect(got.cls).toBe(want.class);
      expect(got.words).toBe(`${want.mask} / ${want.gender} / ${want.age}`);
      expect(Math.abs(got.confidence! - want.confidence)).toBeLessThan(0.01);
    }
    const shot = process.env.KIOSK_SCREENSHOT || join(await mkdtemp(join(tmpdir(), 'kiosk-shot-')), 'kiosk.png');
    await page.screenshot({ path: shot });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('clears the last photo, crop and answer when the next photo cannot be read', async () => {
    const { page, errors } = await open();
    const good = await answerOf(page, photos[0]!);
    expect(good.cls).not.toBeNull();
    const canvas = (id: string) => page.evaluate((i) => {
      const c = document.getElementById(i) as HTMLCanvasElement;
      return { width: c.width, hidden: c.hidden };
    }, id);
    expect((await canvas('crop')).width).toBeGreaterThan(0);
    const bad = join(await mkdtemp(join(tmpdir(), 'kiosk-bad-')), 'broken.png');
    await writeFile(bad, 'not a photo at all');
    await page.setInputFiles('#file', bad);
    const el = await page.waitForSelector(ANSWERED, { state: 'attached', timeout: 60_000 });
    expect(await el.getAttribute('data-state')).toBe('error');
    expect(await page.textContent('#status')).toMatch(/^broken\.png: /);
    // nothing of the earlier photo is left under the error
    expect(await el.textContent()).toBe('');
    expect([await el.getAttribute('data-class'), await el.getAttribute('data-confidence')]).toEqual([null, null]);
    expect(await page.textContent('#detail')).toBe('');
    expect(await canvas('photo')).toEqual({ width: 0, hidden: true });
    expect((await canvas('crop')).width).toBe(0);
    // and the next good photo is answered as before
    expect((await answerOf(page, photos[1]!)).cls).toBe((await predictedBy(model, photos[1]!)).class);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs on wasm and on cpu when asked, with the same answer', async () => {
    const want = await predictedBy(model, photos[0]!);
    for (const backend of ['wasm', 'cpu']) {
      const { page, errors } = await open(`?backend=${backend}`);
      expect(await page.getAttribute('#status', 'data-backend')).toBe(backend);
      expect((await answerOf(page, photos[0]!)).cls).toBe(want.class);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it("answers for a frame of the camera (Chromium's fake camera)", async () => {
    const cam = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
    try {
      const { page, errors } = await openKiosk(cam, kiosk.url);
      expect(await page.getAttribute('#status', 'data-state'), (await page.textContent('#status')) ?? '').toBe('ready');
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
