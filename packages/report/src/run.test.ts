import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, runRecordArtifact, stageParams, workLayout, writeArtifact } from '@facemask/contracts';
import { runReport } from './run.ts';
import { fakeRun, type FakeRun } from './test-utils/fake-run.ts';
import { markTexts } from './test-utils/svg.ts';

/** The inline SVG of a chart on the page. */
function chartSvg(html: string, id: string): string {
  const start = html.indexOf(`data-chart="${id}"`);
  if (start < 0) return '';
  return html.slice(start, html.indexOf('</figure>', start));
}

let run: FakeRun;
const dirs: string[] = [];
/** A fresh hand-made run, removed after the tests. */
async function freshRun(): Promise<FakeRun> {
  const r = await fakeRun();
  dirs.push(r.dir);
  return r;
}
beforeAll(async () => {
  run = await freshRun();
});
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('runReport on a complete run', () => {
  it('writes index.html and the thumbnails of the wrong photos, and lists nothing as missing', async () => {
    const r = await runReport(run.config, { work: run.work });
    expect(r.missing).toEqual([]);
    // 5 learning-curve charts (the folds overlaid), per-class F1, 18x18, 3 factor matrices, eval
    // distribution (no pseudo-labels), and on eval per-class F1 and 18x18
    expect(r.charts).toBe(13);
    // 3 wrong out-of-fold photos, 2 wrong eval photos
    expect(r.thumbnails).toBe(5);
    const html = await readFile(r.paths.index, 'utf8');
    expect(html).not.toContain('What is missing');
    expect(html).toContain('facemask report: fake &lt;run&gt; &amp; &quot;friends&quot;');
    expect(html).not.toContain('<run>');
    // nothing to fetch: no script and no remote URL (the SVG namespace is not a request)
    expect(html).not.toMatch(/<script|(src|href)="(https?:)?\/\//);
    // 9 of 12 out-of-fold photos right; eval 2 of 4 with macro F1 1/3
    expect(html).toContain('<b>75.0%</b><span>out-of-fold accuracy</span>');
    expect(html).toContain('<b>0.3333</b><span>eval macro F1</span>');
    // most confident mistakes first: sample 0 (0.9), sample 10 (0.7), sample 5 (0.6)
    const order = [0, 10, 5].map((i) => html.indexOf(`alt="${run.samples[i]!.id}"`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const n of ['worst-01', 'worst-02', 'worst-03', 'eval-worst-01', 'eval-worst-02']) {
      const meta = await sharp(join(r.paths.thumbs, `${n}.jpg`)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 192, 192]);
    }
  });

  it('gives the eval photos what the out-of-fold ones get when the labels are there: per-class F1, the matrix, the worst photos', async () => {
    const r = await runReport(run.config, { work: run.work });
    const html = await readFile(r.paths.index, 'utf8');
    const evalPart = html.slice(html.indexOf('<section id="eval">'));
    expect(evalPart).toContain('data-chart="perclass-eval"');
    expect(evalPart).toContain('data-chart="confusion-eval"');
    // the matrix counts the submission against the labels: e2 (true 1) as 0, e4 (true 13) as 7
    const counts = markTexts(chartSvg(html, 'confusion-eval'), 'eval_counts');
    expect(counts.filter((t) => t !== '0' && t !== '').sort()).toEqual(['1', '1', '1', '1']);
    // wrong eval photos, most confident first: e2 (0.6 on class 0), then e4 (0.5 on class 7)
    expect(evalPart).toContain('Most confidently wrong eval photos');
    const order = ['e2.jpg', 'e4.jpg'].map((id) => evalPart.indexOf(`alt="${id}"`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order[0]).toBeLessThan(order[1]!);
    expect(evalPart).not.toContain('alt="e1.jpg"');
  });

  it('names the config file when the eval labels it names are not there', async () => {
    const r = await runReport({ ...run.config, data: { ...run.config.data, evalLabels: join(run.dir, 'nowhere.csv') } }, { work: run.work });
    expect(r.missing).toEqual([expect.stringMatching(/^eval labels not found: data\.evalLabels .*nowhere\.csv does not exist/)]);
  });

  it('draws the factor matrices from the out-of-fold answers (by hand)', async () => {
    const r = await runReport(run.config, { work: run.work });
    const html = await readFile(r.paths.index, 'utf8');
    // mask rows: wear [4 0 0], incorrect [0 3 1], not_wear [1 0 3]; counts on non-empty cells, row by row
    expect(markTexts(chartSvg(html, 'factor-mask-r1'), 'factor_mask_counts')).toEqual(['4', '3', '1', '1', '3']);
    // gender: male [5 1], female [0 6]
    expect(markTexts(chartSvg(html, 'factor-gender-r1'), 'factor_gender_counts')).toEqual(['5', '1', '6']);
    expect(markTexts(chartSvg(html, 'factor-age-r1'), 'factor_age_counts')).toEqual(['6', '3', '3']);
    // mask right on 10 of 12; F1 wear 8/9, incorrect 6/7, not_wear 3/4 -> macro 0.8320
    expect(html).toContain('accuracy 83.3%, macro F1 0.8320');
    // gender right on 11 of 12, age band on all
    expect(html).toContain('accuracy 91.7%');
    expect(html).toContain('accuracy 100.0%, macro F1 1.0000');
  });

  it('shows the engine and the time of every task from their run records', async () => {
    const r0 = await runReport(run.config, { work: run.work });
    const html0 = await readFile(r0.paths.index, 'utf8');
    expect(html0).toContain('engine: not recorded');
    expect(html0).toContain('5 of 5 tasks not recorded');
    const work = run.work;
    const record = (target: string, seconds: number, backend: string | null, startedAt: string) => ({ target, seconds, backend, startedAt, paramsHash: 'h' });
    await writeArtifact(runRecordArtifact, workLayout.preprocess(work).run, record('preprocess:run', 4, null, '2026-03-01T09:00:00.000Z'));
    await writeArtifact(runRecordArtifact, workLayout.fold(work, 1, 0).run, record('train:round1-fold-0', 90, 'wasm (simd, 1 thread)', '2026-03-01T09:00:05.000Z'));
    await writeFile(workLayout.submission(work).run, '{ not json');
    const r = await runReport(run.config, { work });
    await rm(workLayout.preprocess(work).run);
    await rm(workLayout.fold(work, 1, 0).run);
    await rm(workLayout.submission(work).run);
    const html = await readFile(r.paths.index, 'utf8');
    expect(html).toContain('<p>engine: wasm (simd, 1 thread)</p>');
    expect(html).toContain('<td><code>train:round1-fold-0</code></td><td>1 min 30 s</td><td>2026-03-01 09:00:05</td><td>wasm</td>');
    expect(html).toContain('<td>total</td><td>1 min 34 s</td><td>3 of 5 tasks not recorded</td>');
    // an unreadable record is a missing piece; an absent one is not
    expect(r.missing).toHaveLength(1);
    expect(r.missing[0]).toMatch(/submission[\\/]run\.json is not valid JSON .*submit:run/);
  });

  it('shows face-crop fallbacks when a detection summary is given', async () => {
    const r = await runReport(run.config, { work: run.work, detection: { detector: 'test detector', photos: 12, detected: 9, fallbacks: 3, examples: [] } });
    expect(await readFile(r.paths.index, 'utf8')).toContain('test detector: 9 of 12 photos cropped around a detected face; 3 (25.0%) fell back');
  });
});

describe('runReport on a broken run', () => {
  it('says what is missing: a fold without metrics and a photo that is gone', async () => {
    const broken = await freshRun();
    await rm(workLayout.fold(broken.work, 1, 1).metrics);
    await rm(broken.photos[10]!);
    const r = await runReport(broken.config, { work: broken.work });
    expect(r.charts).toBe(13);
    expect(r.thumbnails).toBe(4);
    expect(r.missing).toEqual([
      `round 1 fold 1 has no metrics: ${workLayout.fold(broken.work, 1, 1).metrics} is missing or empty: run \`nx run train:round1-fold-1\``,
      `thumbnail of ${broken.samples[10]!.id}: photo ${broken.photos[10]} does not exist`,
    ]);
    const html = await readFile(r.paths.index, 'utf8');
    expect(html).toContain('What is missing (2)');
    expect(html).toContain('Round 1 fold 1: no learning curve.');
    expect(html).toContain('image missing');
    // the folds' curves share charts: fold 0's are drawn, fold 1 has none
    expect(chartSvg(html, 'curves-r1-valLoss')).toContain('fold 0');
    expect(chartSvg(html, 'curves-r1-valLoss')).not.toContain('fold 1');
  });

  it('names a corrupt artifact and keeps the rest of the page', async () => {
    const broken = await freshRun();
    await writeFile(workLayout.ensemble(broken.work, 1).report, '{ not json');
    const r = await runReport(broken.config, { work: broken.work });
    expect(r.missing).toHaveLength(1);
    expect(r.missing[0]).toMatch(/report\.json is not valid JSON \(expected a ensemble\/report artifact\): rerun `nx run ensemble:round1`/);
    const html = await readFile(r.paths.index, 'utf8');
    expect(html).toContain('Ensemble report not available');
    expect(html).toContain('data-chart="curves-r1-macroF1"');
  });

  it('still writes a page for a run that never started, listing each missing artifact', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-empty-'));
    dirs.push(dir);
    const config = parseConfig({ data: { root: join(dir, 'data'), work: join(dir, 'work'), evalLabels: join(dir, 'labels.csv') }, preprocess: { folds: 2 }, pseudo: { enabled: true } });
    const r = await runReport(stageParams(config, 'report'), { work: config.data.work });
    expect(existsSync(r.paths.index)).toBe(true);
    expect(r.charts).toBe(0);
    const all = r.missing.join('\n');
    expect(all).toContain('run `nx run preprocess:run` first');
    expect(all).toContain('round 1 fold 0 did not train');
    expect(all).toContain('round 2 fold 1 did not train');
    expect(all).toContain('run `nx run ensemble:round2` first');
    expect(all).toContain('run `nx run pseudo-label:run` first');
    expect(all).toContain('submission not found');
    const html = await readFile(r.paths.index, 'utf8');
    for (const id of ['run', 'curves', 'oof', 'photos', 'eval']) expect(html).toContain(`<section id="${id}">`);
  });

  it('replaces an earlier report as a whole', async () => {
    const r1 = await runReport(run.config, { work: run.work });
    await writeFile(join(r1.paths.thumbs, 'stale.jpg'), 'x');
    const r2 = await runReport({ ...run.config, report: { ...run.config.report, worst: 1 } }, { work: run.work });
    // one wrong out-of-fold photo, one wrong eval photo
    expect(r2.thumbnails).toBe(2);
    expect(existsSync(join(r2.paths.thumbs, 'stale.jpg'))).toBe(false);
    expect(existsSync(join(r2.paths.thumbs, 'worst-02.jpg'))).toBe(false);
  });
});
