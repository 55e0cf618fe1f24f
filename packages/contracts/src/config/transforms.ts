import { z } from 'zod';

/**
 * The training transforms a config can list under `augment.train`. Each entry is strict, so a
 * misspelt option is an error rather than a silently ignored key. @facemask/augment keeps one
 * implementation per type in a table the compiler checks against TRANSFORM_TYPES.
 */

const p = (d: number) => z.number().min(0).max(1).default(d);
const range = (d: [number, number]) => z.tuple([z.number(), z.number()]).default(d);

export const transformSpec = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hflip'), p: p(0.5) }).strict(),
  z
    .object({
      type: z.literal('randomResizedCrop'),
      scale: range([0.6, 1]),
      ratio: range([3 / 4, 4 / 3]),
      p: p(1),
    })
    .strict(),
  z
    .object({
      type: z.literal('colorJitter'),
      brightness: z.number().min(0).default(0.2),
      contrast: z.number().min(0).default(0.2),
      saturation: z.number().min(0).default(0.2),
      /** Hue shift range as a fraction of the colour wheel, uniform in [-hue, hue] (torchvision's ColorJitter(hue)). */
      hue: z.number().min(0).max(0.5).default(0),
      p: p(1),
    })
    .strict(),
  z.object({ type: z.literal('randomErasing'), p: p(0.25), scale: range([0.02, 0.2]), ratio: range([0.3, 3.3]) }).strict(),
  z.object({ type: z.literal('gaussianNoise'), std: z.number().min(0).default(0.03), p: p(0.5) }).strict(),
  z.object({ type: z.literal('mixup'), alpha: z.number().positive().default(0.2), p: p(0.5) }).strict(),
  z
    .object({
      type: z.literal('cutmix'),
      alpha: z.number().positive().default(1),
      p: p(0.5),
      /** "vertical-half": the winners' left/right halves of two photos; "box": CutMix as published. */
      mode: z.enum(['box', 'vertical-half']).default('box'),
    })
    .strict(),
]);
export type TransformSpec = z.infer<typeof transformSpec>;
export type TransformSpecInput = z.input<typeof transformSpec>;
export type TransformType = TransformSpec['type'];
/** The transform of one type, e.g. TransformOf<'cutmix'>. */
export type TransformOf<T extends TransformType> = Extract<TransformSpec, { type: T }>;
