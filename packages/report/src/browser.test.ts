import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmaxRow, dataFile, ensembleArtifacts, readArtifact, readCsv, readSamples, shownPath, stageParams, workLayout, WORKSPACE_ROOT, type PipelineConfig } from '@facemask/contracts';
import type { ReportParams } from './params.ts';
import { runReport } from './run.ts';
import { launchChromium } from './test-utils/browser.ts';
import { REAL_RUN, realRun } from './test-utils/real-run.ts';

/**
 * The report of a real (tiny) pipeline run, opened from disk in headless Chromium: the page must
 * load with no console error and no request that fails or leaves the report folder, every chart
 * must be an SVG with the marks its data calls for, and every thumbnail must decode.
 */

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'test-output');

let dir: string;
let config: PipelineConfig;
let params: ReportParams;
let work: string;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-browser-'));
  config = await realRun(dir);
  params = stageParams(config, 'report');
  work = config.data.work;
  browser = await launchChromium();
  await mkdir(OUT, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface PageLoad {
  page: Page;
  errors: string[];
  failed: string[];
  outside: string[];
}

/** Opens the report and records console errors, page errors, failed requests and requests outside its folder. */
async function open(index: string): Promise<PageLoad> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const folder = pathToFileURL(dirname(index)).href + '/';
  const load: PageLoad = { page, errors: [], failed: [], outside: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') load.errors.push(m.text());
  });
  page.on('pageerror', (e) => load.errors.push(e.message));
  page.on('requestfailed', (r) => load.failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(folder) && !r.url().startsWith('data:')) load.outside.push(r.url());
  });
  await page.goto(pathToFileURL(index).href, { waitUntil: 'load' });
  return load;
}

/** The HTMLImageElement fields read in the page (the package compiles without the DOM lib). */
interface Img {
  complete: boolean;
  naturalWidth: number;
}

const count = (page: Page, selector: string) => page.locator(selector).count();
const marks = (page: Page, chart: string, mark: string) => count(page, `figure[data-chart="${chart}"] svg g.${mark}_marks > *`);

async function epochsOf(round: number, fold: number): Promise<number> {
  const text = await readFile(workLayout.fold(work, round as 1 | 2, fold).metrics, 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').length;
}

/** Misclassified eval photos of the submitted round (2), from its eval predictions and the labels. */
async function wrongEval(): Promise<number> {
  const ev = await readArtifact(ensembleArtifacts(2).eval, workLayout.ensemble(work, 2).eval);
  const truth = new Map((await readCsv(params.data.evalLabels!, ['ImageID', 'ans'])).map((r) => [r.ImageID!, Number(r.ans)]));
  return ev.ids.filter((id, i) => truth.has(id) && argmaxRow(ev.probs, i) !== truth.get(id)).length;
}

/** Misclassified out-of-fold photos of a round, straight from its oof.json. */
async function wrongOof(round: 1 | 2): Promise<number> {
  const oof = await readArtifact(ensembleArtifacts(round).oof, workLayout.ensemble(work, round).oof);
  return oof.ids.filter((_, i) => argmaxRow(oof.probs, i) !== oof.labels![i]).length;
}

describe('the report of a pipeline run in Chromium', () => {
  it('loads from disk with no error and no request leaving its folder', async () => {
    const r = await runReport(params, { work });
    expect(r.missing).toEqual([]);
    const { page, errors, failed, outside } = await open(r.paths.index);
    expect(errors).toEqual([]);
    expect(failed).toEqual([]);
    expect(outside).toEqual([]);
    expect(await count(page, 'section.problems')).toBe(0);
    expect(await page.locator('section > h2').allTextContents()).toEqual(['The run', 'Learning curves', 'Out-of-fold ensemble', 'Photos and predictions', 'Eval score']);

    // time per stage from every task's run.json: preprocess, 2 rounds x (3 folds + ensemble), pseudo-label, submit, then the total
    const tasks = await page.locator('table.stages tbody tr td:first-child').allTextContents();
    expect(tasks).toEqual([
      'preprocess:run', ...[0, 1, 2].map((k) => `train:round1-fold-${k}`), 'ensemble:round1', 'pseudo-label:run',
      ...[0, 1, 2].map((k) => `train:round2-fold-${k}`), 'ensemble:round2', 'submit:run', 'total',
    ]);
    expect(await page.locator('table.stages').textContent()).not.toContain('not recorded');
    expect(await page.locator('section#run').textContent()).toMatch(/engine: wasm \(/);

    // learning curves: every fold of a round on one chart per metric, a point per fold per epoch,
    // each fold's best epoch marked once
    for (const round of [1, 2]) {
      for (let fold = 0; fold < REAL_RUN.folds; fold++) expect(await epochsOf(round, fold)).toBe(REAL_RUN.epochs);
      for (const metric of ['trainLoss', 'valLoss', 'macroF1', 'accuracy', 'lr']) {
        const chart = `curves-r${round}-${metric}`;
        expect(await marks(page, chart, `${metric}_points`)).toBe(REAL_RUN.folds * REAL_RUN.epochs);
        expect(await marks(page, chart, `${metric}_best`)).toBe(REAL_RUN.folds);
      }
    }
    // out-of-fold ensemble of each round: 18 F1 bars, 324 matrix cells, the factor matrices
    for (const round of [1, 2]) {
      expect(await marks(page, `perclass-r${round}`, 'perclass_bars')).toBe(18);
      expect(await marks(page, `confusion-r${round}`, 'confusion_cells')).toBe(324);
      expect(await marks(page, `factor-mask-r${round}`, 'factor_mask_cells')).toBe(9);
      expect(await marks(page, `factor-gender-r${round}`, 'factor_gender_cells')).toBe(4);
      expect(await marks(page, `factor-age-r${round}`, 'factor_age_cells')).toBe(9);
    }
    expect(await marks(page, 'eval-distribution', 'distribution_bars')).toBe(2 * 18);
    expect(await marks(page, 'pseudo-counts', 'pseudo_bars')).toBe(18);
    // the eval labels are known: the eval set gets its own per-class F1 and matrix
    expect(await marks(page, 'perclass-eval', 'eval_bars')).toBe(18);
    expect(await marks(page, 'confusion-eval', 'eval_cells')).toBe(324);
    expect(await count(page, 'figure.chart')).toBe(await count(page, 'figure.chart > svg'));

    // thumbnails of the worst photos (round 2 was submitted) all decode
    const expected = Math.min(params.report.worst, await wrongOof(2));
    expect(expected).toBeGreaterThan(0);
    const decoded = (section: string) =>
      page.locator(`section#${section} ul.thumbs img`).evaluateAll((imgs) => imgs.map((i) => [(i as unknown as Img).complete, (i as unknown as Img).naturalWidth]));
    const sizes = await decoded('photos');
    expect(sizes).toHaveLength(expected);
    // and those of the worst eval photos, against the labels
    const evalSizes = await decoded('eval');
    expect(evalSizes).toHaveLength(Math.min(params.report.worst, await wrongEval()));
    for (const [complete, width] of [...sizes, ...evalSizes]) expect([complete, width as number > 0]).toEqual([true, true]);

    // the config opens from a closed <details> and reads back as the config
    const details = page.locator('details.config');
    expect(await details.getAttribute('open')).toBeNull();
    await details.locator('summary').click();
    expect(await details.locator('pre').isVisible()).toBe(true);
    // with its paths as other machines can read them (no absolute path: the page is cached)
    const shown = JSON.parse((await details.locator('pre').textContent())!) as PipelineConfig;
    expect(shown).toEqual(JSON.parse(JSON.stringify({ ...config, data: { ...config.data, root: shownPath(config.data.root, WORKSPACE_ROOT), work: shownPath(config.data.work, WORKSPACE_ROOT), evalLabels: config.data.evalLabels && shownPath(config.data.evalLabels, WORKSPACE_ROOT) } })));
    expect(await page.content()).not.toContain(config.data.root);
    await details.locator('summary').click();

    await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('shows what is missing in a broken run without errors of its own', async () => {
    await rm(workLayout.fold(work, 1, 1).metrics);
    const first = (await runReport(params, { work })).paths.index;
    const firstWorst = await (await open(first)).page.locator('section#photos ul.thumbs img').first().getAttribute('alt');
    const { samples } = await readSamples(work);
    const photo = dataFile(params.data.root, samples.find((s) => s.id === firstWorst)!.path);
    await rm(photo);

    const r = await runReport(params, { work });
    expect(r.paths.index).toBe(workLayout.report(work).index);
    const { page, errors, failed, outside } = await open(r.paths.index);
    expect(errors).toEqual([]);
    expect(failed).toEqual([]);
    expect(outside).toEqual([]);
    const problems = await page.locator('section.problems li').allTextContents();
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^round 1 fold 1 has no metrics: .*metrics\.jsonl is missing or empty: run `nx run train:round1-fold-1`$/);
    expect(problems[1]).toBe(`thumbnail of ${firstWorst}: photo ${photo} does not exist`);
    // round 1's charts draw the two folds that have metrics
    expect(await marks(page, 'curves-r1-valLoss', 'valLoss_points')).toBe((REAL_RUN.folds - 1) * REAL_RUN.epochs);
    expect(await marks(page, 'confusion-r2', 'confusion_cells')).toBe(324);
    expect(await count(page, 'ul.thumbs .noimg')).toBe(1);
    const widths = await page.locator('ul.thumbs img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as Img).naturalWidth));
    expect(widths.every((w) => w > 0)).toBe(true);
    await page.screenshot({ path: join(OUT, 'report-broken.png'), fullPage: true });
    await page.close();
  }, 120_000);
});
