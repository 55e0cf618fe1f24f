import { z } from 'zod';

/**
 * Model options shared by the config's `model` section and the model registry's createModel
 * options, so both validate them by the same rules.
 */
export const modelHead = z.enum(['single', 'multi']);
export type ModelHead = z.infer<typeof modelHead>;

export const modelFields = {
  /** 'single': 18-way logits; 'multi': mask / gender / age-band heads. */
  head: modelHead.default('single'),
  /** -1: nothing frozen; 0: whole backbone frozen; k>0: all but the last k stages frozen. */
  trainableStages: z.number().int().min(-1).default(-1),
  /** Dropout rate before the head, in [0, 1). */
  dropout: z.number().min(0).lt(1).default(0),
  widthMultiplier: z.number().positive().default(1),
};
