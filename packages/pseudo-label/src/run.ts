import { ensembleArtifacts, pseudoLabelsArtifact, readArtifact, workLayout, writeArtifact, type PseudoLabels, type StageParams } from '@facemask/contracts';
import { disabledPseudoLabels, formatPseudoLabels, selectPseudoLabels } from './select.ts';

export type PseudoLabelParams = StageParams<'pseudo-label'>;

export interface PseudoLabelResult {
  path: string;
  labels: PseudoLabels;
  summary: string;
}

/**
 * Reads the round-1 ensemble's eval predictions and writes `<work>/pseudo-label/samples.json`.
 * Disabled: writes an empty set without reading anything, so the pipeline can skip round 2.
 */
export async function runPseudoLabel(params: PseudoLabelParams, ctx: { work: string }): Promise<PseudoLabelResult> {
  const { enabled, threshold, maxPerClass } = params.pseudo;
  const path = workLayout.pseudoLabel(ctx.work).samples;
  let labels: PseudoLabels;
  if (!enabled) {
    labels = disabledPseudoLabels(threshold, maxPerClass);
  } else {
    const pred = await readArtifact(ensembleArtifacts(1).eval, workLayout.ensemble(ctx.work, 1).eval);
    labels = selectPseudoLabels(pred, { threshold, maxPerClass });
  }
  await writeArtifact(pseudoLabelsArtifact, path, labels);
  return { path, labels, summary: formatPseudoLabels(labels) };
}
