import { describe, expect, it } from 'vitest';
import { parseConfig, stageParams, type ConfigInput } from '@facemask/contracts';
import { absent, loaded } from '../loaded.ts';
import { classGridHtml, configHtml, dataHtml, detectionHtml, engineHtml, recipeLine, runSection } from './run.ts';

/** The report's slice of a config. */
const report = (c: ConfigInput) => stageParams(parseConfig(c), 'report');
const cells = (html: string) => [...html.matchAll(/<t[dh]>(.*?)<\/t[dh]>/g)].map((m) => m[1]);

describe('classGridHtml', () => {
  it('lays the 18 counts out as mask rows x (gender, age) columns with totals', () => {
    const counts = Array.from({ length: 18 }, (_, c) => c);
    const c = cells(classGridHtml(counts));
    expect(c.slice(0, 8)).toEqual(['mask \\ gender, age', 'male &lt;30', 'male 30-59', 'male 60+', 'female &lt;30', 'female 30-59', 'female 60+', 'total']);
    // wear: classes 0..5 -> total 15; incorrect 6..11 -> 51; not_wear 12..17 -> 87
    expect(c.slice(8, 16)).toEqual(['wear', '0', '1', '2', '3', '4', '5', '15']);
    expect(c.slice(16, 24)).toEqual(['incorrect', '6', '7', '8', '9', '10', '11', '51']);
    expect(c.slice(24, 32)).toEqual(['not_wear', '12', '13', '14', '15', '16', '17', '87']);
    // column totals: male <30 = 0 + 6 + 12
    expect(c.slice(32)).toEqual(['total', '18', '21', '24', '27', '30', '33', '153']);
  });
});

describe('configHtml', () => {
  it('is a closed details element holding the escaped JSON', () => {
    const cfg = report({ name: '<b>x</b>', data: { root: '/d' } });
    const html = configHtml(cfg);
    expect(html.startsWith('<details class="config">')).toBe(true);
    expect(html).not.toContain(' open');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&quot;oldAgeThreshold&quot;: 60');
  });
});

describe('recipeLine', () => {
  it('names the main choices of the config', () => {
    const cfg = report({ data: { root: '/d' }, model: { widthMultiplier: 0.25 }, augment: { tta: true } });
    expect(recipeLine(cfg)).toBe(
      'resnet18 x0.25 (single head, random init), 224x224 after CenterCrop(384), finetune, 15 epochs of batch 4, sgd lr 0.0001, step schedule, cross_entropy; soft voting with flip TTA; no pseudo-labels.',
    );
  });
});

describe('dataHtml', () => {
  it('says why when the preprocess summary is missing', () => {
    const html = dataHtml(absent('preprocess/summary artifact not found at /w/preprocess/summary.json: run `nx run preprocess:run` first'));
    expect(html).toContain('class="missing"');
    expect(html).toContain('run `nx run preprocess:run` first');
  });
});

describe('detectionHtml', () => {
  it('prints nothing when detection did not run, and the fallbacks when it did', () => {
    expect(detectionHtml(null)).toBe('');
    const html = detectionHtml({ detector: 'blazeface', photos: 200, detected: 190, fallbacks: 10, examples: [{ id: 'p/<mask1>.jpg', reason: 'no face' }] });
    expect(html).toContain('190 of 200 photos cropped around a detected face; 10 (5.0%) fell back to the centre crop');
    expect(html).toContain('p/&lt;mask1&gt;.jpg');
  });
});

describe('engineHtml', () => {
  const record = (target: string, seconds: number, backend: string | null, startedAt: string) => loaded({ target, seconds, backend, startedAt, paramsHash: 'h' });

  it('says "not recorded" for tasks without a run record', () => {
    const html = engineHtml([{ target: 'preprocess:run', path: '/w/preprocess/run.json', record: null }]);
    expect(html).toContain('engine: not recorded');
    expect(cells(html)).toEqual(['task', 'time', 'started (UTC)', 'engine', '<code>preprocess:run</code>', 'not recorded', '', '', 'total', '0.0 s', '1 of 1 tasks not recorded', '']);
  });

  it('lists each task with its time and engine, the engine line and the total', () => {
    const html = engineHtml([
      { target: 'preprocess:run', path: '/p', record: record('preprocess:run', 12, null, '2026-01-02T10:00:00.000Z') },
      { target: 'train:round1-fold-0', path: '/f', record: record('train:round1-fold-0', 100, 'wasm (simd, 1 thread)', '2026-01-02T10:01:00.000Z') },
      { target: 'ensemble:round1', path: '/e', record: absent('ensemble:round1 run.json is not valid JSON') },
    ]);
    expect(html).toContain('<p>engine: wasm (simd, 1 thread)</p>');
    const c = cells(html);
    expect(c.slice(4, 8)).toEqual(['<code>preprocess:run</code>', '12.0 s', '2026-01-02 10:00:00', '-']);
    expect(c.slice(8, 12)).toEqual(['<code>train:round1-fold-0</code>', '1 min 40 s', '2026-01-02 10:01:00', 'wasm']);
    expect(c.slice(12, 14)).toEqual(['<code>ensemble:round1</code>', '<span class="missing">unreadable run.json</span>']);
    // 12 + 100 seconds
    expect(c.slice(16)).toEqual(['total', '1 min 52 s', '1 of 3 tasks not recorded', '']);
  });

  it('numbers the engines when the tasks ran on more than one', () => {
    const html = engineHtml([
      { target: 'train:round1-fold-0', path: '/a', record: record('train:round1-fold-0', 1, 'wasm (simd, 1 thread)', '2026-01-02T10:00:00.000Z') },
      { target: 'train:round1-fold-1', path: '/b', record: record('train:round1-fold-1', 1, 'cpu (requested by TFJS_BACKEND)', '2026-01-02T10:00:00.000Z') },
    ]);
    expect(html).toContain('<li>engine [1]: wasm (simd, 1 thread)</li><li>engine [2]: cpu (requested by TFJS_BACKEND)</li>');
    expect(cells(html).filter((_, i) => i % 4 === 3)).toEqual(['engine', 'wasm [1]', 'cpu [2]', '']);
  });
});

describe('runSection', () => {
  it('holds the recipe, the config, the data and the engine, in that order', () => {
    const s = runSection({ config: report({ data: { root: '/d' } }), summary: absent('gone'), taskRuns: [], detection: null });
    expect(s.id).toBe('run');
    const html = s.blocks.map((b) => (b.kind === 'html' ? b.html : '')).join('\n');
    const order = ['class="recipe"', '<details class="config">', '<h3>Data</h3>', 'Engine and time per stage'].map((x) => html.indexOf(x));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
