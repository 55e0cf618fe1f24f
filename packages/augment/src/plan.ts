import { Rng, type TransformSpec } from '@facemask/core';
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

function find<T extends TransformSpec['type']>(specs: readonly TransformSpec[], type: T): Extract<TransformSpec, { type: T }> | undefined {
  return specs.find((s) => s.type === type) as Extract<TransformSpec, { type: T }> | undefined;
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
  const { n, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = p;
  const stream = (type: string) => Rng.derive(p.seed, 'augment', p.epoch, p.batchIndex, type);
  const samples: SamplePlan[] = Array.from({ length: n }, () => ({ crop: null, flip: false, jitter: null, noise: false, erase: null }));

  const rrc = find(specs, 'randomResizedCrop');
  if (rrc) {
    const rng = stream(rrc.type);
    for (const s of samples) if (rng.bool(rrc.p)) s.crop = sampleResizedCrop(rng, h, w, rrc.scale, rrc.ratio);
  }
  const hflip = find(specs, 'hflip');
  if (hflip) {
    const rng = stream(hflip.type);
    for (const s of samples) s.flip = rng.bool(hflip.p);
  }
  const cj = find(specs, 'colorJitter');
  let jitterOrder: JitterOp[] = [];
  if (cj) {
    const rng = stream(cj.type);
    // Hue joins the order only when used, so configs without it keep their random streams.
    jitterOrder = rng.shuffle<JitterOp>(cj.hue > 0 ? ['brightness', 'contrast', 'saturation', 'hue'] : ['brightness', 'contrast', 'saturation']);
    for (const s of samples) {
      if (!rng.bool(cj.p)) continue;
      s.jitter = {
        brightness: sampleJitterFactor(rng, cj.brightness),
        contrast: sampleJitterFactor(rng, cj.contrast),
        saturation: sampleJitterFactor(rng, cj.saturation),
        hue: cj.hue > 0 ? rng.uniform(-cj.hue, cj.hue) : 0,
      };
    }
  }
  const gn = find(specs, 'gaussianNoise');
  let noiseSeed = 0;
  if (gn) {
    const rng = stream(gn.type);
    for (const s of samples) s.noise = gn.std > 0 && rng.bool(gn.p);
    noiseSeed = rng.seed();
  }
  const re = find(specs, 'randomErasing');
  if (re) {
    const rng = stream(re.type);
    for (const s of samples) if (rng.bool(re.p)) s.erase = sampleErasing(rng, oh, ow, re.scale, re.ratio);
  }

  let mix: MixPlan | null = null;
  for (const spec of specs) {
    if (mix) break;
    if (spec.type !== 'mixup' && spec.type !== 'cutmix') continue;
    const rng = stream(spec.type);
    if (!rng.bool(spec.p)) continue;
    const perm = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    if (spec.type === 'mixup') {
      mix = { kind: 'mixup', perm, lam: sampleBeta(rng, spec.alpha, spec.alpha) };
    } else if (spec.mode === 'vertical-half') {
      const left = Math.floor(ow / 2);
      const rect = { top: 0, left, height: oh, width: ow - left };
      mix = { kind: 'cutmix', mode: spec.mode, perm, rect, share: rect.width / ow };
    } else {
      const rect = sampleCutmixBox(rng, oh, ow, sampleBeta(rng, spec.alpha, spec.alpha));
      mix = { kind: 'cutmix', mode: spec.mode, perm, rect, share: (rect.width * rect.height) / (oh * ow) };
    }
  }
  return { n, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, samples, jitterOrder, noiseStd: gn?.std ?? 0, noiseSeed, mix };
}
