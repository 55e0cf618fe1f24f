import { z } from 'zod';

/**
 * The loss, one shape per kind: a focal loss's gamma does not exist for cross entropy, so
 * changing it cannot invalidate a cross-entropy run. @facemask/losses builds each kind in an
 * exhaustive switch.
 */
const lossUnion = z.discriminatedUnion('name', [
  z.object({ name: z.literal('cross_entropy') }).strict(),
  z
    .object({
      name: z.literal('label_smoothing'),
      smoothing: z.number().min(0).max(1).default(0.1),
      /** "torch": CrossEntropyLoss(label_smoothing); "competition": 1-e on target, e/(C-1) elsewhere. */
      smoothingKind: z.enum(['torch', 'competition']).default('competition'),
    })
    .strict(),
  z.object({ name: z.literal('focal'), gamma: z.number().min(0).default(2) }).strict(),
  z.object({ name: z.literal('f1'), epsilon: z.number().positive().default(1e-7) }).strict(),
]);

/** A `loss` section without a `name` is cross entropy (the default loss). */
export const lossSpec = z.preprocess((v) => (v && typeof v === 'object' && !Array.isArray(v) && !('name' in v) ? { name: 'cross_entropy', ...v } : v), lossUnion);
export type LossSpec = z.infer<typeof lossUnion>;
export type LossName = LossSpec['name'];
