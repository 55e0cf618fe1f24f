import { formatSeconds, type EpochRecord, type FoldSummary } from '@facemask/contracts';

/** The one-screen end-of-fold report: curve, best epoch, per-class table. */
/** At most a dozen epoch rows: the first three, the best, and the last six. */
function screenRows(history: readonly EpochRecord[], best: number): (EpochRecord | null)[] {
  if (history.length <= 12) return [...history];
  const keep = new Set([0, 1, 2, ...history.slice(-6).map((h) => h.epoch), best]);
  const rows: (EpochRecord | null)[] = [];
  for (const h of history) {
    if (keep.has(h.epoch)) rows.push(h);
    else if (rows[rows.length - 1] !== null) rows.push(null);
  }
  return rows;
}

export function formatFoldSummary(s: FoldSummary, history: readonly EpochRecord[], report: string): string {
  const lines = [
    `== round ${s.round} fold ${s.fold} (${s.mode}) ==`,
    `samples: train ${s.trainSamples}, validation ${s.valSamples}, eval ${s.evalSamples}`,
    'epoch      lr   train loss  val loss   acc    macro F1  img/s',
    ...screenRows(history, s.bestEpoch).map(
      (h) =>
        h === null
          ? '  ...' :
        `${String(h.epoch + 1).padStart(5)} ${h.lr.toExponential(1).padStart(8)} ${h.trainLoss.toFixed(4).padStart(10)} ${h.valLoss.toFixed(4).padStart(9)} ${h.accuracy.toFixed(3).padStart(6)} ${h.macroF1.toFixed(4).padStart(9)}${h.epoch === s.bestEpoch ? '*' : ' '} ${h.imagesPerSecond.toFixed(1).padStart(6)}`,
    ),
    `best epoch ${s.bestEpoch + 1}: out-of-fold macro F1 ${s.bestMacroF1.toFixed(4)}, accuracy ${s.bestAccuracy.toFixed(4)}; ${formatSeconds(s.seconds)} at ${s.imagesPerSecond.toFixed(1)} img/s`,
    report,
  ];
  return lines.join('\n');
}
