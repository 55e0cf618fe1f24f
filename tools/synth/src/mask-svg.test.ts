import { describe, expect, it } from 'vitest';
import { maskSpan } from './mask-svg.ts';
import { drawPerson } from './person.ts';

describe('maskSpan', () => {
  const people = Array.from({ length: 200 }, (_, i) => drawPerson(3, i + 1));

  it('covers nose and mouth when worn', () => {
    for (const p of people) {
      for (const drop of [0, 1]) {
        const { top, bottom } = maskSpan(p.look, 'on', drop);
        const eyeBottom = p.look.eyes.y + p.look.eyes.height * 0.4;
        expect(top).toBeGreaterThan(eyeBottom);
        expect(top).toBeLessThan(p.look.nose.tipY - 10);
        expect(bottom).toBeGreaterThan(p.look.face.chinY);
      }
    }
  });

  it('leaves the nose out under the nose, and nose and mouth out on the chin', () => {
    for (const p of people) {
      for (const drop of [0, 1]) {
        const under = maskSpan(p.look, 'under-nose', drop);
        expect(under.top).toBeGreaterThan(p.look.nose.tipY);
        expect(under.top).toBeLessThan(p.look.lips.y - p.look.lips.height);
        const chin = maskSpan(p.look, 'chin', drop);
        expect(chin.top).toBeGreaterThan(p.look.lips.y + p.look.lips.height);
        expect(chin.top).toBeLessThan(p.look.face.chinY);
      }
    }
  });
});
