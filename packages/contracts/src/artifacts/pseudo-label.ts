import { z } from 'zod';
import { defineArtifact } from '../artifact.ts';
import { NUM_CLASSES } from '../labels.ts';
import { targets } from '../targets.ts';

/** What pseudo-label writes (`<data.work>/pseudo-label/samples.json`) and train's round 2 reads. */

export const pseudoSampleSchema = z.object({
  /** The eval ImageID. */
  id: z.string().min(1),
  cls: z.number().int().min(0).max(NUM_CLASSES - 1),
  /** The ensemble's probability of `cls` (its top probability). */
  confidence: z.number().min(0).max(1),
});
export type PseudoSample = z.infer<typeof pseudoSampleSchema>;

export const pseudoLabelsSchema = z
  .object({
    /** false: pseudo-labelling is switched off (config.pseudo.enabled) and round 2 is skipped. */
    enabled: z.boolean(),
    /** The predictions the labels came from, e.g. "ensemble/round1"; null when disabled. */
    source: z.string().nullable(),
    threshold: z.number().min(0).max(1),
    maxPerClass: z.number().int().positive().nullable(),
    /** Eval photos examined. */
    considered: z.number().int().min(0),
    /** Kept samples per class, NUM_CLASSES entries. */
    counts: z.array(z.number().int().min(0)).length(NUM_CLASSES),
    /** In the order of the source predictions (info.csv order for the ensemble's). */
    samples: z.array(pseudoSampleSchema),
  })
  .superRefine((s, ctx) => {
    if (!s.enabled && s.samples.length > 0) ctx.addIssue({ code: 'custom', message: 'a disabled set must hold no samples' });
    const counts = new Array<number>(NUM_CLASSES).fill(0);
    const seen = new Set<string>();
    for (const x of s.samples) {
      counts[x.cls]! += 1;
      if (seen.has(x.id)) ctx.addIssue({ code: 'custom', message: `sample ${x.id} appears twice` });
      seen.add(x.id);
      if (x.confidence < s.threshold) ctx.addIssue({ code: 'custom', message: `sample ${x.id} has confidence ${x.confidence} below the threshold ${s.threshold}` });
    }
    if (counts.some((c, i) => c !== s.counts[i])) ctx.addIssue({ code: 'custom', message: 'counts do not match the samples' });
    if (s.samples.length > s.considered) ctx.addIssue({ code: 'custom', message: 'more samples than photos considered' });
    if (s.maxPerClass !== null && s.counts.some((c) => c > s.maxPerClass!)) {
      ctx.addIssue({ code: 'custom', message: `a class has more than maxPerClass (${s.maxPerClass}) samples` });
    }
  });
export type PseudoLabels = z.infer<typeof pseudoLabelsSchema>;

export const pseudoLabelsArtifact = defineArtifact({
  kind: 'pseudo-label/samples',
  version: 1,
  schema: pseudoLabelsSchema,
  producedBy: targets.pseudoLabel,
});
