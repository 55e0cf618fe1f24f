import { z } from 'zod';
import { defineArtifact, transformSpec, type TransformSpec, type TransformType } from '@facemask/contracts';
import { APPLICATION_ORDER } from './plan.ts';

/**
 * Resolution of the config's augment.train list. Transforms run in a fixed order whatever the list
 * order (plan.ts's table), because each works in one value domain: geometry on pixels, colour and
 * noise in [0, 1], erasing after Normalize (torchvision erases normalised tensors with 0), mixing
 * last on the batch.
 */

export class TransformSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransformSpecError';
  }
}

/** Defaults filled in, sorted into the order they are applied; duplicates and unknown types are errors. */
export function describeTransforms(specs: readonly unknown[], source = 'augment.train'): TransformSpec[] {
  const resolved = specs.map((s, i) => {
    const r = transformSpec.safeParse(s);
    if (!r.success) throw new TransformSpecError(`${source}[${i}]: invalid transform\n${z.prettifyError(r.error)}`);
    return r.data;
  });
  const seen = new Set<TransformType>();
  for (const s of resolved) {
    if (seen.has(s.type)) {
      throw new TransformSpecError(`${source}: ${s.type} is listed twice; merge the entries into one`);
    }
    seen.add(s.type);
  }
  return resolved.sort((a, b) => APPLICATION_ORDER.indexOf(a.type) - APPLICATION_ORDER.indexOf(b.type));
}

export const augmentDescriptionSchema = z.object({
  /** Training transforms with defaults, in application order (normalise runs before randomErasing). */
  train: z.array(transformSpec),
  mean: z.array(z.number()),
  std: z.array(z.number()),
  outHeight: z.number().int().positive(),
  outWidth: z.number().int().positive(),
  /** At most one of mixup/cutmix per batch: each in turn fires with its p, the first that does is used. */
  mixing: z.literal('first-of-mixup-cutmix-per-batch'),
  tta: z.boolean(),
});
export type AugmentDescription = z.infer<typeof augmentDescriptionSchema>;

/** What train writes beside a model, so inference and reports know how it was trained. */
export const augmentDescriptionArtifact = defineArtifact({
  kind: 'augment/description',
  version: 1,
  schema: augmentDescriptionSchema,
  producedBy: 'train',
});

export function describeAugmentation(
  specs: readonly unknown[],
  opts: { mean: readonly number[]; std: readonly number[]; outHeight: number; outWidth: number; tta?: boolean },
): AugmentDescription {
  return {
    train: describeTransforms(specs),
    mean: [...opts.mean],
    std: [...opts.std],
    outHeight: opts.outHeight,
    outWidth: opts.outWidth,
    mixing: 'first-of-mixup-cutmix-per-batch',
    tta: opts.tta ?? false,
  };
}
