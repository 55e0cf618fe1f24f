import { z } from 'zod';

/**
 * Model options shared by the config's `model` section and the model registry's createModel
 * options, so both validate them by the same rules.
 */
export const modelHead = z.enum(['single', 'multi']);
export type ModelHead = z.infer<typeof modelHead>;

/**
 * The multi head's age output. 'bands': three logits trained on the band alone. 'ordinal':
 * CORAL-style thresholds (one logistic per age threshold, shared weights, own biases) trained on
 * the exact age, with the three band probabilities read off at the young and old thresholds, so
 * a 29 and a 31 year old teach the head that they are close rather than in different classes.
 * 'distribution': a softmax over every year from 0 to 100 trained towards a normal distribution
 * around the exact age (ageSigma years wide), the bands being its mass on each side of the
 * thresholds. Both keep the band loss on the read-out beside their own.
 */
export const ageHeadKind = z.enum(['bands', 'ordinal', 'distribution']);
export type AgeHeadKind = z.infer<typeof ageHeadKind>;

/**
 * Frozen backbones whose pooled features the head reads beside the main backbone's (model-resnet
 * builds and loads each, weights from an npm package, nothing downloaded). 'faceres': Human's
 * HSE-FaceRes MobileNet (VGGFace2 identities; its own age/gender heads trained on IMDB-WIKI), 1024
 * features of a 224x224 resize of the model's input.
 */
export const EXTRA_BACKBONES = ['faceres'] as const;
export const extraBackboneName = z.enum(EXTRA_BACKBONES);
export type ExtraBackbone = z.infer<typeof extraBackboneName>;

export const modelFields = {
  /** 'single': 18-way logits; 'multi': mask / gender / age-band heads. */
  head: modelHead.default('single'),
  /** The age output of head 'multi' (see ageHeadKind); 'bands' is the head of before. */
  ageHead: ageHeadKind.default('bands'),
  /**
   * ageHead 'distribution': the spread (standard deviation, years) of the target around the exact
   * age. Wide, since the head is read as three bands, not an age: of 2, 4, 7, 10 and 14, 10 gave
   * the best out-of-fold macro-F1 on both real-face dev sets (docs/real-faces.md).
   */
  ageSigma: z.number().positive().max(30).default(10),
  /** -1: nothing frozen; 0: whole backbone frozen; k>0: all but the last k stages frozen. */
  trainableStages: z.number().int().min(-1).default(-1),
  /** Dropout rate before the head, in [0, 1). */
  dropout: z.number().min(0).lt(1).default(0),
  widthMultiplier: z.number().positive().default(1),
  /**
   * Features from several depths: layers (by name, or a stage tap such as 'layer2'; an extra
   * backbone's layers too, e.g. 'faceres.conv_pw_13_relu') whose outputs, averaged over space, are
   * concatenated with the last pooled features before the head.
   * Low layers keep texture (a mask's fabric) that a face-recognition net's last layer discards.
   */
  featureLayers: z.array(z.string().min(1)).default([]),
  /**
   * Each featureLayers output averaged over this many horizontal bands, top to bottom, instead of
   * over the whole map (1): where the fabric sits on a face (over the nose, on the chin, nowhere)
   * is the mask state, and one mean over the face loses where. Bands survive the mirror image
   * (flip TTA, the features of the mirrored view), which vertical strips would not.
   */
  featureBands: z.number().int().min(1).max(8).default(1),
  /**
   * A BatchNorm over the features the head reads ('feature_norm', part of the head): pretrained
   * pooled features sit far from zero with a small spread, which a head from scratch learns slowly.
   */
  featureNorm: z.boolean().default(false),
  /** Second backbones (EXTRA_BACKBONES), frozen in every train.mode; their features follow the main backbone's. */
  extraBackbones: z
    .array(extraBackboneName)
    .default([])
    .refine((a) => new Set(a).size === a.length, { message: 'each extra backbone once' }),
};
