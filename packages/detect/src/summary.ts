import { PHOTO_KINDS, type DetectFailure, type DetectionRecord, type PhotoKind } from '@facemask/contracts';
import type { Photo } from './photos.ts';

/** What one group of photos (a train kind, the eval photos, or other files) came to. */
export interface GroupCount {
  group: PhotoKind | 'eval' | 'other';
  photos: number;
  /** With at least one face. */
  faces: number;
  /** Decoded, no face found: the image cache falls back to the centre crop. */
  noFace: number;
  /** Did not decode (the records leave them out). */
  failed: number;
}

export const GROUPS = [...PHOTO_KINDS, 'eval', 'other'] as const;

/** Faces found per photo kind (the masked kinds are where detectors trained on bare faces miss). */
export function countByGroup(photos: readonly Photo[], records: readonly DetectionRecord[], failures: readonly DetectFailure[]): GroupCount[] {
  const rec = new Map(records.map((r) => [r.path, r]));
  const failed = new Set(failures.map((f) => f.path));
  const counts = new Map(GROUPS.map((g) => [g, { group: g, photos: 0, faces: 0, noFace: 0, failed: 0 } as GroupCount]));
  for (const p of photos) {
    const c = counts.get(p.group ?? 'other')!;
    c.photos++;
    const r = rec.get(p.path);
    if (r) {
      if (r.faces.length > 0) c.faces++;
      else c.noFace++;
    } else if (failed.has(p.path)) c.failed++;
    else throw new Error(`internal: ${p.path} has neither a record nor a failure`);
  }
  return [...counts.values()].filter((c) => c.photos > 0);
}

export interface DetectReport {
  root: string;
  outDir: string;
  detectors: string;
  backend: string;
  workers: number;
  seconds: number;
  counts: GroupCount[];
  failures: readonly DetectFailure[];
  /**
   * The shared store entry (its folder, as shown): `reused` when the detections came from it and
   * no detector ran, else where this run stored them for the next; null when they could not be stored.
   */
  store: { dir: string; reused: boolean } | null;
  /** The crops handed to preprocess (where the detectors ran with a face crop asked for), and their folder as shown. */
  handoff?: { outcome: { photos: number } | { failed: string }; dir: string } | null;
}

const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : '-');

/** The one-screen summary the CLI ends with. */
export function formatReport(r: DetectReport): string {
  const total = r.counts.reduce((a, c) => a + c.photos, 0);
  const lines = [
    `detect ${r.root}`,
    `  -> ${r.outDir}`,
    `  ${r.detectors} on ${r.backend}, ${r.store?.reused ? 'no detector ran' : `${r.workers} worker${r.workers === 1 ? '' : 's'}`}: ${total} photos in ${r.seconds.toFixed(1)} s (${total ? ((1000 * r.seconds) / total).toFixed(0) : '-'} ms/photo)`,
    ...(r.store ? [`  ${r.store.reused ? 'from the shared detection store' : 'stored for other runs in'} ${r.store.dir}`] : []),
    ...(r.handoff
      ? [
          'photos' in r.handoff.outcome
            ? `  image cache crops of ${r.handoff.outcome.photos} photos cut from the same decode, for preprocess: ${r.handoff.dir}`
            : `  no crops for preprocess (it decodes the photos again): ${r.handoff.outcome.failed}`,
        ]
      : []),
    `  ${'photos'.padEnd(16)}${'count'.padStart(7)}${'face'.padStart(9)}${'no face'.padStart(9)}${'failed'.padStart(8)}`,
  ];
  for (const c of r.counts) {
    lines.push(`  ${c.group.padEnd(16)}${String(c.photos).padStart(7)}${pct(c.faces, c.photos).padStart(9)}${String(c.noFace).padStart(9)}${String(c.failed).padStart(8)}`);
  }
  if (r.failures.length > 0) {
    lines.push(`  ${r.failures.length} photo(s) did not decode (preprocess stops on them or skips them, as preprocess.onBadInput says):`);
    for (const f of r.failures.slice(0, 3)) lines.push(`    ${f.path}: ${f.reason}`);
    if (r.failures.length > 3) lines.push(`    ... ${r.failures.length - 3} more in detections.json`);
  }
  return lines.join('\n');
}
