import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dataLayout, dataRelative, decodeClass, EVAL_CSV_COLUMNS, MASK_STATES, PHOTO_KINDS, readCsv, TRAIN_CSV_COLUMNS } from '@facemask/contracts';
import type { Box } from '../record.ts';

/** A photo of a dev set with what is known of it: kind (train), mask state, face square (wide set). */
export interface GroundTruthPhoto {
  /** Relative to the set's root, as face_boxes.csv names it. */
  path: string;
  file: string;
  /** mask1..mask5, incorrect_mask, normal (train photos; eval photos do not say). */
  kind: string | null;
  mask: (typeof MASK_STATES)[number];
  face: Box | null;
}

/**
 * Every photo of a realfaces-style set (train/train.csv folders + eval/info.csv) with its kind,
 * mask state (from the folder for train, `eval_labels.csv` for eval) and, where the set has
 * `face_boxes.csv`, the pasted face square.
 */
export async function readGroundTruth(root: string): Promise<GroundTruthPhoto[]> {
  const boxes = new Map<string, Box>();
  const boxFile = join(root, 'face_boxes.csv');
  if (existsSync(boxFile)) {
    for (const r of await readCsv(boxFile, ['path', 'x', 'y', 'width', 'height'])) {
      boxes.set(r.path!, { x: Number(r.x), y: Number(r.y), width: Number(r.width), height: Number(r.height) });
    }
  }
  const out: GroundTruthPhoto[] = [];
  for (const r of await readCsv(dataLayout.trainCsv(root), TRAIN_CSV_COLUMNS)) {
    for (const kind of PHOTO_KINDS) {
      const file = join(dataLayout.trainImages(root), r.path!, `${kind}.jpg`);
      const path = dataRelative(root, file);
      out.push({ path, file, kind, mask: kind === 'normal' ? 'not_wear' : kind === 'incorrect_mask' ? 'incorrect' : 'wear', face: boxes.get(path) ?? null });
    }
  }
  const labels = new Map<string, number>();
  const labelFile = join(root, 'eval_labels.csv');
  if (existsSync(labelFile)) for (const r of await readCsv(labelFile, ['ImageID', 'ans'])) labels.set(r.ImageID!, Number(r.ans));
  for (const r of await readCsv(dataLayout.infoCsv(root), EVAL_CSV_COLUMNS)) {
    const cls = labels.get(r.ImageID!);
    if (cls === undefined) continue;
    const file = join(dataLayout.evalImages(root), basename(r.ImageID!));
    const path = dataRelative(root, file);
    out.push({ path, file, kind: null, mask: MASK_STATES[decodeClass(cls).mask], face: boxes.get(path) ?? null });
  }
  return out;
}
