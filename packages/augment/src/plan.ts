import { Rng, type TransformOf, type TransformSpec, type TransformType } from '@facemask/contracts';
import { sampleBeta } from './beta.ts';
import { sampleCutmixBox, sampleErasing, sampleJitterFactor, sampleResizedCrop, type Rect } from './params.ts';

/**
 * Every random choice for one batch, drawn before any pixel is touched. Each transform draws from
 * its own stream Rng.derive(seed, 'augment', epoch, batchIndex, type), so a batch is reproducible
 * from (seed, epoch, batchIndex) and adding one transform does not reshuffle the others' draws.
 */

export type JitterOp = 'brightness' | 'contrast' | 'saturation' | 'hue';

export interface SamplePlan {
  /** Source rectangle that is resized to the output size; null: the whole photo. */
  crop: Rect | null;
  flip: boolean;
  /** ColorJitter factors (1 = unchanged; hue: a shift, 0 = unchanged); null when skipped for this photo. */
  jitter: Record<JitterOp, number> | null;
  noise: boolean;
  /** Output-space rectangle set to 0 after Normalize (torchvision's RandomErasing value=0). */
  erase: Rect | null;
}

export type MixPlan =
  | { kind: 'mixup'; perm: number[]; lam: number }
  /** rect (output space) of photo i is replaced by photo perm[i]; share = rect area / image area. */
  | { kind: 'cutmix'; mode: 'box' | 'vertical-half'; perm: number[]; rect: Rect; share: number };

export interface BatchPlan {
  n: number;
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  samples: SamplePlan[];
  /** Order of the ColorJitter adjustments for this batch (torchvision draws a permutation). */
  jitterOrder: JitterOp[];
  noiseStd: number;
  /** Seed for tf.randomNormal, which is deterministic and backend independent for a given seed. */
  noiseSeed: number;
  mix: MixPlan | null;
}

/** The draws of one batch as they are made: each transform's planner fills in its part. */
interface PlanState {
  input: PlanInput;
  samples: SamplePlan[];
  jitterOrder: JitterOp[];
  noiseStd: number;
  noiseSeed: number;
  mix: MixPlan | null;
}

interface Planner<T extends TransformType> {
  /** Draws this transform's random choices from its own stream. */
  plan(spec: TransformOf<T>, rng: Rng, s: PlanState): void;
}

/**
 * One planner per transform type, in the order the transforms are applied (geometry on pixels,
 * colour and noise in [0, 1], erasing after Normalize, mixing last on the batch). The mapped type
 * makes a transform type without a planner a compile error, and the order is this table's.
 */
const PLANNERS: { [T in TransformType]: Planner<T> } = {
  randomResizedCrop: {
    plan(spec, rng, s) {
      for (const x of s.samples) if (rng.bool(spec.p)) x.crop = sampleResizedCrop(rng, s.input.inHeight, s.input.inWidth, spec.scale, spec.ratio);
    },
  },
  hflip: {
    plan(spec, rng, s) {
      for (const x of s.samples) x.flip = rng.bool(spec.p);
    },
  },
  colorJitter: {
    plan(spec, rng, s) {
      // Hue joins the order only when used, so configs without it keep their random streams.
      s.jitterOrder = rng.shuffle<JitterOp>(spec.hue > 0 ? ['brightness', 'contrast', 'saturation', 'hue'] : ['brightness', 'contrast', 'saturation']);
      for (const x of s.samples) {
        if (!rng.bool(spec.p)) continue;
        x.jitter = {
          brightness: sampleJitterFactor(rng, spec.brightness),
          contrast: sampleJitterFactor(rng, spec.contrast),
          saturation: sampleJitterFactor(rng, spec.saturation),
          hue: spec.hue > 0 ? rng.uniform(-spec.hue, spec.hue) : 0,
        };
      }
    },
  },
  gaussianNoise: {
    plan(spec, rng, s) {
      for (const x of s.samples) x.noise = spec.std > 0 && rng.bool(spec.p);
      s.noiseStd = spec.std;
      s.noiseSeed = rng.seed();
    },
  },
  randomErasing: {
    plan(spec, rng, s) {
      for (const x of s.samples) if (rng.bool(spec.p)) x.erase = sampleErasing(rng, s.input.outHeight, s.input.outWidth, spec.scale, spec.ratio);
    },
  },
  mixup: {
    plan(spec, rng, s) {
      if (s.mix || !rng.bool(spec.p)) return;
      s.mix = { kind: 'mixup', perm: permutation(rng, s.input.n), lam: sampleBeta(rng, spec.alpha, spec.alpha) };
    },
  },
  cutmix: {
    plan(spec, rng, s) {
      if (s.mix || !rng.bool(spec.p)) return;
      const perm = permutation(rng, s.input.n);
      const { outHeight: oh, outWidth: ow } = s.input;
      if (spec.mode === 'vertical-half') {
        const left = Math.floor(ow / 2);
        const rect = { top: 0, left, height: oh, width: ow - left };
        s.mix = { kind: 'cutmix', mode: spec.mode, perm, rect, share: rect.width / ow };
      } else {
        const rect = sampleCutmixBox(rng, oh, ow, sampleBeta(rng, spec.alpha, spec.alpha));
        s.mix = { kind: 'cutmix', mode: spec.mode, perm, rect, share: (rect.width * rect.height) / (oh * ow) };
      }
    },
  },
};

/** The order transforms run in, whatever the order of the config's list. */
export const APPLICATION_ORDER = Object.keys(PLANNERS) as TransformType[];

function permutation(rng: Rng, n: number): number[] {
  return rng.shuffle(Array.from({ length: n }, (_, i) => i));
}

export interface PlanInput {
  n: number;
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  seed: number;
  epoch: number;
  batchIndex: number;
}

/** specs must be resolved (describeTransforms). */
export function planBatch(specs: readonly TransformSpec[], p: PlanInput): BatchPlan {
  const s: PlanState = {
    input: p,
    samples: Array.from({ length: p.n }, () => ({ crop: null, flip: false, jitter: null, noise: false, erase: null })),
    jitterOrder: [],
    noiseStd: 0,
    noiseSeed: 0,
    mix: null,
  };
  for (const spec of [...specs].sort((a, b) => APPLICATION_ORDER.indexOf(a.type) - APPLICATION_ORDER.indexOf(b.type))) {
    const planner = PLANNERS[spec.type] as Planner<typeof spec.type>;
    planner.plan(spec, Rng.derive(p.seed, 'augment', p.epoch, p.batchIndex, spec.type), s);
  }
  const { samples, jitterOrder, noiseStd, noiseSeed, mix } = s;
  return { n: p.n, inHeight: p.inHeight, inWidth: p.inWidth, outHeight: p.outHeight, outWidth: p.outWidth, samples, jitterOrder, noiseStd, noiseSeed, mix };
}
