import type { Rng } from '@facemask/contracts';

/**
 * Gamma and Beta variates from the toolkit's seeded Rng, for MixUp/CutMix mixing ratios
 * (numpy's np.random.beta is what the PyTorch recipes call).
 */

/** Marsaglia & Tsang (2000); shape < 1 via the Gamma(a+1) * U^(1/a) boost. */
export function sampleGamma(rng: Rng, shape: number): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`gamma shape must be a positive number, got ${shape}`);
  if (shape < 1) return sampleGamma(rng, shape + 1) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(a, b) in [0, 1]. */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = sampleGamma(rng, a);
  const y = sampleGamma(rng, b);
  const s = x + y;
  // Both gammas can underflow to 0 for tiny shapes; either end is then equally likely.
  return s > 0 ? x / s : rng.bool() ? 1 : 0;
}
