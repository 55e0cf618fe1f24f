import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyFaceRun, useTestEngine } from '@facemask/ship/testing';
import { startKiosk, type Kiosk } from './server.ts';
import { launchChromium } from './testing/browser.ts';
import { answerOf, exportWithPhotos, openKiosk, predictedBy } from './testing/page.ts';

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
    const exported = await exportWithPhotos(run.cfg, dir, 2);
    model = exported.model;
    photos.push(...exported.photos);
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

  it("finds the face in the page and shows pnpm predict's answer, says \"no face found\" without one, with no console error", async () => {
    for (const backend of ['', 'wasm']) {
      const { page, errors } = await openKiosk(browser, `${kiosk.url}${backend ? `?backend=${backend}` : ''}`, { timeout: 120_000 });
      expect(await page.getAttribute('#status', 'data-state'), (await page.textContent('#status')) ?? '').toBe('ready');
      const faces: string[] = [];
      for (const photo of photos) {
        const got = await answerOf(page, photo);
        const want = await predictedBy(model, photo);
        faces.push(got.face ?? '');
        if (want.faceFound) {
          expect([photo, got.cls, got.face]).toEqual([photo, want.class, 'found']);
          expect(Math.abs(got.confidence! - want.confidence)).toBeLessThan(0.01);
        } else {
          // pnpm predict answers from the centre crop and marks it; the page does not guess.
          expect([photo, got.cls, got.confidence, got.face, got.words]).toEqual([photo, null, null, 'none', 'no face found']);
        }
      }
      // Faces on the photos, none on the wall: both paths were compared.
      expect(faces).toEqual(['found', 'found', 'none']);
      expect(await page.textContent('#detail')).toMatch(/^the model reads faces: take the photo again with the face in view · wall\.png$/);
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
