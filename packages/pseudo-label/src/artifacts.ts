// The schema is defined in @facemask/core so that train (round 2) can read it without a
// dependency cycle; this package writes it and re-exports it as its own.
export {
  pseudoSampleSchema,
  pseudoLabelsSchema,
  pseudoLabelsArtifact,
  pseudoLabelsPath,
  type PseudoSample,
  type PseudoLabels,
} from '@facemask/core';
