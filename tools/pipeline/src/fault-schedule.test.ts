import { describe, expect, it } from 'vitest';
import { describePoint, faultSchedule, killPoints, parseTrace, type SitePass } from './fault-schedule.ts';

const trace = (text: string) => [parseTrace(text)];
const traces = new Map<string, SitePass[][]>([
  ['preprocess:run', trace('cache-photo\ncache-photo\ncache-photo\nfile-write\tsamples.json\ndir-build\tpreprocess\ndir-swap\tpreprocess\n')],
  ['train:features', trace('feature-batch\nfeature-batch\ndir-swap\tfeatures\n')],
  [
    'train:round1-fold-0',
    trace('train-batch\ntrain-batch\ndir-swap\tmodel\ndir-swap\tlast\nfile-write\tmetrics.jsonl\ntrain-batch\ndir-swap\tmodel\ndir-build\tlast\ndir-swap\tlast\ndir-cleanup\tlast\n'),
  ],
]);

describe('the fault schedule', () => {
  it('is the same for the same seed, and another for another seed', () => {
    const a = faultSchedule(traces, 10, 1).map(describePoint);
    expect(faultSchedule(traces, 10, 1).map(describePoint)).toEqual(a);
    expect(faultSchedule(traces, 10, 2).map(describePoint)).not.toEqual(a);
  });

  it('hits every kind of site first, a checkpoint swap for dir-swap, without repeating a point', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = faultSchedule(traces, 7, seed);
      expect(s.map((p) => p.site).sort()).toEqual(['cache-photo', 'dir-build', 'dir-cleanup', 'dir-swap', 'feature-batch', 'file-write', 'train-batch']);
      expect(s.find((p) => p.site === 'dir-swap')).toMatchObject({ task: 'train:round1-fold-0', detail: 'last' });
      const all = faultSchedule(traces, 100, seed);
      // as many points as the traces hold passes, each once; n counts passes of that site in its task
      expect(all).toHaveLength(19);
      expect(new Set(all.map(describePoint)).size).toBe(19);
      expect(all).toContainEqual({ task: 'train:round1-fold-0', site: 'dir-swap', n: 4, detail: 'last' });
    }
  });

  it("counts each process's passes apart, and a site several processes share up to half each one's share", () => {
    const detect = new Map([
      [
        'detect:run',
        [parseTrace('file-write\tdetections.json\n'), parseTrace('detect-photo\n'.repeat(5)), parseTrace('detect-photo\n'.repeat(4))],
      ],
    ]);
    // nine photos over two workers: each has passed the site at least twice, whichever got which
    expect(killPoints(detect).map(describePoint)).toEqual(['detect:run at file-write:1 (detections.json)', 'detect:run at detect-photo:1', 'detect:run at detect-photo:2']);
    const one = new Map([['detect:run', [parseTrace('detect-photo\n'.repeat(3))]]]);
    expect(killPoints(one).map(describePoint)).toEqual([1, 2, 3].map((n) => `detect:run at detect-photo:${n}`));
  });
});
