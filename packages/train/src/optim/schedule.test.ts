import { describe, expect, it } from 'vitest';
import { configSchema } from '@facemask/contracts';
import { checkTolerance, referenceCases, selectJson } from '@facemask/contracts/reference';
import { cosineAnnealingLR, stepLR, withWarmup, type LrSchedule } from './schedule.ts';
import { createLrSchedule } from './factory.ts';

interface ScheduleFixture {
  scheduler: string;
  scheduler_params: Record<string, number>;
  base_lr: number;
  epochs: number;
  lr_per_epoch: number[];
  lr_after_last_step: number;
}

/** torch scheduler names to our schedules; an unknown scheduler or parameter fails the case. */
function scheduleFor(fx: ScheduleFixture): LrSchedule {
  const p = fx.scheduler_params;
  const known: Record<string, string[]> = { StepLR: ['step_size', 'gamma'], CosineAnnealingLR: ['T_max', 'eta_min'] };
  const keys = known[fx.scheduler];
  if (!keys) throw new Error(`torch scheduler ${fx.scheduler} has no mapping`);
  for (const k of Object.keys(p)) if (!keys.includes(k)) throw new Error(`${fx.scheduler} parameter ${k} has no mapping`);
  if (fx.scheduler === 'StepLR') return stepLR(fx.base_lr, p.step_size!, p.gamma!);
  return cosineAnnealingLR(fx.base_lr, p.T_max!, p.eta_min ?? 0);
}

const cases = referenceCases('lr_schedule');
const sched = (input: Record<string, unknown>) => configSchema.shape.scheduler.parse(input);

describe('lr schedules against torch', () => {
  it('the manifest has lr schedule cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(`${c.id}: lr of every epoch and after the last step`, () => {
      const fx = selectJson(c) as ScheduleFixture;
      const lrAt = scheduleFor(fx);
      const got = Array.from({ length: fx.epochs + 1 }, (_, e) => lrAt(e));
      expect(fx.lr_per_epoch).toHaveLength(fx.epochs);
      const r = checkTolerance(got, [...fx.lr_per_epoch, fx.lr_after_last_step], c.tolerances.lr as Record<string, unknown>);
      expect(r.ok, r.message).toBe(true);
    });
  }
});

describe('warm-up and the config factory', () => {
  it('warms up linearly, then runs the inner schedule from its start', () => {
    const lrAt = withWarmup(stepLR(0.1, 2, 0.5), 3);
    const got = [0, 1, 2, 3, 4, 5, 6].map(lrAt);
    const want = [0.025, 0.05, 0.075, 0.1, 0.1, 0.05, 0.05];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 15));
    expect(withWarmup(stepLR(0.1, 2, 0.5), 0)(3)).toBe(0.05);
  });

  it('builds step, cosine (T_max = epochs - warm-up) and constant schedules from the config', () => {
    const step = createLrSchedule(sched({ name: 'step', stepSize: 10, gamma: 0.9 }), { lr: 1e-4 }, 30);
    expect(step(9)).toBe(1e-4);
    expect(step(10)).toBeCloseTo(9e-5, 18);
    const cos = createLrSchedule(sched({ name: 'cosine', etaMin: 1e-6, warmupEpochs: 2 }), { lr: 0.01 }, 12);
    expect(cos(0)).toBeCloseTo(0.01 / 3, 15);
    expect(cos(2)).toBeCloseTo(0.01, 15);
    expect(cos(7)).toBeCloseTo((0.01 + 1e-6) / 2, 15);
    expect(cos(12)).toBeCloseTo(1e-6, 15);
    const none = createLrSchedule(sched({ name: 'none' }), { lr: 0.3 }, 5);
    expect([0, 4].map(none)).toEqual([0.3, 0.3]);
  });

  it('rejects bad epochs and parameters', () => {
    expect(() => stepLR(0.1, 0, 0.5)).toThrow(/step size/);
    expect(() => stepLR(0.1, 2, 0.5)(-1)).toThrow(/epoch must be an integer >= 0/);
    expect(() => createLrSchedule(sched({ name: 'cosine', warmupEpochs: 5 }), { lr: 0.1 }, 5)).toThrow(/leaves no epochs/);
  });
});
