import { describe, expect, it } from 'vitest';
import { absent, loaded } from '../loaded.ts';
import { distributionBlocks, pseudoBlocks, worstHtml, type Thumb } from './photos.ts';

const worst = [
  { id: 'p1/mask1.jpg', trueCls: 0, predCls: 3, confidence: 0.9, trueProb: 0.05 },
  { id: 'p2/<normal>.jpg', trueCls: 16, predCls: 4, confidence: 0.6, trueProb: 0.2 },
];

describe('worstHtml', () => {
  it('shows each photo with true and predicted class and confidence; a missing image is named', () => {
    const thumbs = new Map<string, Thumb>([
      ['p1/mask1.jpg', { ok: true, src: 'thumbs/worst-01.jpg', width: 160, height: 160 }],
      ['p2/<normal>.jpg', { ok: false, problem: 'photo /d/p2/normal.jpg does not exist' }],
    ]);
    const html = worstHtml(1, loaded(worst), thumbs);
    expect(html.match(/<li>/g)).toHaveLength(2);
    expect(html).toContain('<img src="thumbs/worst-01.jpg" width="160" height="160" alt="p1/mask1.jpg">');
    expect(html).toContain('<dt>true</dt><dd class="true">wear/<wbr>male/<wbr>&lt;30</dd>');
    expect(html).toContain('<dt>pred</dt><dd class="pred">wear/<wbr>female/<wbr>&lt;30</dd>');
    expect(html).toContain('<dt>conf</dt><dd><b>90%</b> (true class 5%)</dd>');
    expect(html).toContain('image missing');
    expect(html).toContain('p2/&lt;normal&gt;.jpg: photo /d/p2/normal.jpg does not exist');
    expect(html).not.toContain('<normal>');
  });

  it('says so when nothing is wrong or the predictions are missing', () => {
    expect(worstHtml(2, loaded([]), new Map())).toContain('Round 2: no out-of-fold photo is misclassified.');
    expect(worstHtml(1, absent('ensemble/oof artifact not found'), new Map())).toContain('Not available: ensemble/oof artifact not found');
  });
});

describe('distributionBlocks', () => {
  it('charts training and eval shares side by side', () => {
    const train = new Array<number>(18).fill(1);
    const ev = new Array<number>(18).fill(0);
    ev[3] = 9;
    const blocks = distributionBlocks(loaded(train), loaded({ counts: ev, source: 'submission.csv' }));
    const chart = blocks.find((b) => b.kind === 'chart');
    expect(chart?.kind === 'chart' && chart.id).toBe('eval-distribution');
    const values = chart?.kind === 'chart' ? ((chart.spec as { data: { values: { group: string; share: number; label: string }[] } }).data.values) : [];
    expect(values).toHaveLength(36);
    expect(values.find((v) => v.label === '3 wear/female/<30' && v.group.startsWith('eval'))!.share).toBe(1);
    expect(values.find((v) => v.label === '3 wear/female/<30' && v.group === 'training labels')!.share).toBe(1 / 18);
  });

  it('names what is missing', () => {
    const blocks = distributionBlocks(absent('no summary'), loaded({ counts: new Array(18).fill(0), source: 's' }));
    expect(JSON.stringify(blocks)).toContain('Not available: no summary');
  });
});

describe('pseudoBlocks', () => {
  it('says round 2 did not run when pseudo-labelling is off', () => {
    expect(JSON.stringify(pseudoBlocks(null))).toContain('round 2 did not run');
  });

  it('counts the kept samples per class', () => {
    const counts = new Array<number>(18).fill(0);
    counts[0] = 2;
    const blocks = pseudoBlocks(
      loaded({ enabled: true, source: 'ensemble/round1', threshold: 0.9, maxPerClass: null, considered: 10, counts, samples: [{ id: 'a', cls: 0, confidence: 0.95 }, { id: 'b', cls: 0, confidence: 0.91 }] }),
    );
    expect(JSON.stringify(blocks)).toContain('2 of 10 eval photos kept');
    expect(blocks.some((b) => b.kind === 'chart' && b.id === 'pseudo-counts')).toBe(true);
  });
});
