import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvalList } from '@facemask/contracts';
import { predictMain, runExport } from '@facemask/ship';
import { tinyFaceRun, useTestEngine } from '@facemask/ship/testing';
import { startKiosk, type Kiosk } from './server.ts';
import { launchChromium } from './testing/browser.ts';

/**
 * A model trained on face crops (detect stage, preprocess.faceCrop) in the page: BlazeFace runs in
 * the browser with the weights the export carries, and the page's answer is pnpm predict's, face
 * found or not. Entrance-sized synthetic photos, a few of them.
 */
describe('the kiosk page with a face-crop model', () => {
  let kiosk: Kiosk;
  let browser: Browser;
  let dir: string;
  let model: string;
  const photos: string[] = [];

  beforeAll(async () => {
    await useTestEngine();
    const run = await tinyFaceRun();
    dir = await mkdtemp(join(tmpdir(), 'kiosk-face-'));
    model = join(dir, 'model');
    await runExport(run.cfg, { out: model });
    // PNG: the browser's decoder and sharp's agree to the bit.
    for (const e of (await readEvalList(run.cfg.data.work)).images.slice(0, 2)) {
      const png = join(dir, e.ImageID.replace(/\.\w+$/, '.png'));
      await sharp(e.path).png().toFile(png);
      photos.push(png);
    }
    const wall = join(dir, 'wall.png');
    await sharp({ create: { width: 384, height: 512, channels: 3, background: { r: 180, g: 170, b: 150 } } }).png().toFile(wall);
    photos.push(wall);
    kiosk = await startKiosk({ model, port: 0 });
    browser = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await kiosk?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("finds the face in the page and shows pnpm predict's answer, with no console error", async () => {
    for (const backend of ['', 'wasm']) {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${kiosk.url}${backend ? `?backend=${backend}` : ''}`);
      const status = await page.waitForSelector('#status[data-state="ready"], #status[data-state="error"]', { timeout: 120_000 });
      expect(await status.getAttribute('data-state'), (await status.textContent()) ?? '').toBe('ready');
      const faces: string[] = [];
      for (const photo of photos) {
        await page.evaluate(() => document.getElementById('answer')!.setAttribute('data-state', 'empty'));
        await page.setInputFiles('#file', photo);
        const el = await page.waitForSelector('#answer[data-state="done"], #answer[data-state="error"]', { timeout: 60_000 });
        expect(await el.getAttribute('data-state'), (await page.textContent('#status')) ?? '').toBe('done');
        const out: string[] = [];
        expect(await predictMain(['--model', model, '--format', 'jsonl', '--quiet', photo], (l) => out.push(l), () => {})).toBe(0);
        const want = JSON.parse(out[0]!) as { class: number; confidence: number; faceFound: boolean };
        const face = (await el.getAttribute('data-face'))!;
        faces.push(face);
        expect([photo, Number(await el.getAttribute('data-class')), face]).toEqual([photo, want.class, want.faceFound ? 'found' : 'none']);
        expect(Math.abs(Number(await el.getAttribute('data-confidence')) - want.confidence)).toBeLessThan(0.01);
      }
      // Faces on the photos, none on the wall: both paths were compared.
      expect(faces).toEqual(['found', 'found', 'none']);
      expect(await page.textContent('#detail')).toMatch(/no face found: centre crop/);
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
