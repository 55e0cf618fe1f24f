import { NUM_CLASSES, className } from '@facemask/contracts';
import type { SynthSummary } from './generate.ts';
import type { LayoutReport } from './layout.ts';

/** One screen: sizes, the 18 class counts for train and eval, and the time taken. */
export function formatSummary(s: SynthSummary, report: LayoutReport): string {
  const o = s.options;
  const people = s.trainPeople.length + s.evalPeople.length;
  const lines = [
    `synthetic data set in ${s.out}  (seed ${o.seed}, ${o.width}x${o.height}, JPEG q${o.quality})`,
    `people  ${people}  (train ${report.train.people}, eval ${s.evalPeople.length})`,
    `photos  ${report.train.photos + report.eval.images}  (train ${report.train.photos}, eval ${report.eval.images})`,
    '',
    `${'class'.padEnd(28)}${'train'.padStart(7)}${'eval'.padStart(7)}`,
  ];
  for (let c = 0; c < NUM_CLASSES; c++) {
    const ev = report.eval.classCounts?.[c] ?? s.evalClassCounts[c] ?? 0;
    lines.push(`${`${String(c).padStart(2)} ${className(c)}`.padEnd(28)}${String(report.train.classCounts[c] ?? 0).padStart(7)}${String(ev).padStart(7)}`);
  }
  const photos = s.trainPhotos + s.evalPhotos;
  lines.push('', `took ${s.seconds.toFixed(1)} s (${(photos / Math.max(s.seconds, 1e-9)).toFixed(1)} photos/s); layout validated`);
  return lines.join('\n');
}
