import type { ModelManifest } from '@facemask/contracts/browser';

/** The footer: which model this is and how well it did out of fold. */
export function describeModel(m: ModelManifest): string {
  const crop = m.crop.kind === 'centre' ? `centre crop ${m.crop.size ?? 'none'}` : 'face crop';
  return (
    `model "${m.name}": ${m.members.length} fold model${m.members.length === 1 ? '' : 's'} (round ${m.source.round}, ${m.vote.method} vote), ` +
    `${m.input.height}x${m.input.width} input, ${crop}, TTA ${m.tta}; out-of-fold macro-F1 ${m.scores.macroF1.toFixed(3)} on ${m.scores.n} photos`
  );
}
