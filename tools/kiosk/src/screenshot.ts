#!/usr/bin/env node
/**
 * Refreshes the README's picture of the kiosk page: serves a model folder, hands one photo to the
 * page in headless Chromium and saves the answer as a PNG.
 *   tsx --conditions=source tools/kiosk/src/screenshot.ts --model DIR --photo FILE --out PNG
 */
import { Command } from 'commander';
import { runIfEntryPoint } from '@facemask/contracts';
import { startKiosk } from './server.ts';
import { launchChromium } from './testing/browser.ts';

export async function main(argv: string[]): Promise<number> {
  const o = new Command('screenshot')
    .requiredOption('--model <dir>', 'an exported model folder')
    .requiredOption('--photo <file>', 'the photo to answer')
    .requiredOption('--out <png>', 'where to save the screenshot')
    .option('--backend <name>', "the page's tfjs backend (default: its own choice)")
    .parse(argv, { from: 'user' })
    .opts<{ model: string; photo: string; out: string; backend?: string }>();
  const kiosk = await startKiosk({ model: o.model, port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
    await page.goto(`${kiosk.url}${o.backend ? `?backend=${o.backend}` : ''}`);
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 120_000 });
    await page.setInputFiles('#file', o.photo);
    await page.waitForSelector('#answer[data-state="done"]', { timeout: 120_000 });
    await page.screenshot({ path: o.out });
    console.log(`${o.out}: ${await page.textContent('#answer')} (${await page.textContent('#detail')})`);
    return 0;
  } finally {
    await browser.close();
    await kiosk.close();
  }
}

runIfEntryPoint(import.meta.url, main);
