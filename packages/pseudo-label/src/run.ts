import { readArtifact, writeArtifact, type PipelineConfig } from '@facemask/core';
import { ensembleArtifacts, ensemblePaths } from '@facemask/ensemble';
import { pseudoLabelsArtifact, pseudoLabelsPath, type PseudoLabels } from './artifacts.ts';
import { disabledPseudoLabels, formatPseudoLabels, selectPseudoLabels } from './select.ts';

export interface PseudoLabelResult {
  path: string;
  labels: PseudoLabels;
  summary: string;
}

/**
 * Reads the round-1 ensemble's eval predictions and writes `<work>/pseudo-label/samples.json`.
 * Disabled: writes an empty set without reading anything, so the pipeline can skip round 2.
 */
export async function runPseudoLabel(config: PipelineConfig): Promise<PseudoLabelResult> {
  const { enabled, threshold, maxPerClass } = config.pseudo;
  const path = pseudoLabelsPath(config.data.work);
  let labels: PseudoLabels;
  if (!enabled) {
    labels = disabledPseudoLabels(threshold, maxPerClass);
  } else {
    const pred = await readArtifact(ensembleArtifacts(1).eval, ensemblePaths(config.data.work, 1).eval);
    labels = selectPseudoLabels(pred, { threshold, maxPerClass });
  }
  await writeArtifact(pseudoLabelsArtifact, path, labels);
  return { path, labels, summary: formatPseudoLabels(labels) };
}
