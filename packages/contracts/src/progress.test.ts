import { describe, expect, it } from 'vitest';
import { createProgress, formatSeconds } from './progress.ts';

function fakeStream() {
  const lines: string[] = [];
  return { lines, stream: { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream };
}

describe('progress', () => {
  it('logs rate and ETA lines off a terminal, and the final count', () => {
    const { lines, stream } = fakeStream();
    const p = createProgress({ label: 'train', total: 4, unit: 'img', stream, logEverySeconds: 0 });
    p.tick(2, { epoch: 3, loss: 0.5 });
    p.tick(2);
    p.stop();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^train 50% 2\/4 img \| [\d.]+ img\/s \| ETA \S+ epoch 3 loss 0\.5000/);
    expect(lines[1]).toMatch(/100% 4\/4/);
  });

  it('can be silenced', () => {
    const { lines, stream } = fakeStream();
    const p = createProgress({ label: 'x', total: 1, stream, quiet: true });
    p.tick();
    expect(lines).toEqual([]);
  });

  it('formats durations', () => {
    expect(formatSeconds(75)).toBe('1m15s');
    expect(formatSeconds(3 * 3600 + 120)).toBe('3h02m');
    expect(formatSeconds(Infinity)).toBe('--');
  });
});
