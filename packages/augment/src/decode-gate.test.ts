import { describe, expect, it } from 'vitest';
import { exclusive, gateState, shared } from './decode-gate.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('the decode gate', () => {
  it('runs shared work side by side, and exclusive work only once they have drained', async () => {
    const log: string[] = [];
    let openA!: () => void;
    const a = shared(async () => {
      log.push('a start');
      await new Promise<void>((r) => (openA = r));
      log.push('a end');
    });
    const b = shared(async () => {
      log.push('b start');
      await tick();
      log.push('b end');
    });
    await tick();
    const x = exclusive(async () => {
      log.push('x start');
      await tick();
      log.push('x end');
    });
    // Arriving after the writer, c waits behind it rather than starving it.
    const c = shared(async () => {
      log.push('c');
    });
    await tick();
    await tick();
    expect(gateState()).toEqual({ readers: 1, writer: true });
    openA();
    await Promise.all([a, b, x, c]);
    expect(log).toEqual(['a start', 'b start', 'b end', 'a end', 'x start', 'x end', 'c']);
    expect(gateState()).toEqual({ readers: 0, writer: false });
  });

  it('runs two writers one after the other and releases the gate when work throws', async () => {
    const log: string[] = [];
    const one = exclusive(async () => {
      log.push('1 start');
      await tick();
      log.push('1 end');
      throw new Error('boom');
    });
    const two = exclusive(async () => {
      log.push('2');
    });
    await expect(one).rejects.toThrow('boom');
    await two;
    expect(await shared(async () => 'after')).toBe('after');
    expect(log).toEqual(['1 start', '1 end', '2']);
    expect(gateState()).toEqual({ readers: 0, writer: false });
  });
});
