import { stringify } from 'csv-stringify/sync';
import type { PhotoResult } from './predict.ts';

/** How `pnpm predict` prints each photo's answer on stdout (errors go to stderr). */
export const OUTPUT_FORMATS = ['text', 'csv', 'jsonl'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const CSV_COLUMNS = ['path', 'class', 'mask', 'gender', 'age', 'confidence', 'corrupt'] as const;

export interface Formatter {
  /** Printed before the first answer (the CSV header), or null. */
  header: string | null;
  line(r: PhotoResult): string;
}

/** One line of `pnpm predict --format jsonl`. */
export interface PredictJsonLine {
  path: string;
  class: number;
  mask: string;
  gender: string;
  age: string;
  confidence: number;
  /** Only for a face-crop model: whether the detector found a face (false: the centre crop). */
  faceFound?: boolean;
  /** Only for a photo that decoded through corrupt data: what the decoder said (the answer may be wrong). */
  corrupt?: string;
}

const conf = (v: number) => Number(v.toFixed(4));

export function formatter(format: OutputFormat): Formatter {
  switch (format) {
    case 'text':
      return {
        header: null,
        line: (r) =>
          `${r.path}: class ${r.answer.cls}, ${r.answer.words}, confidence ${r.answer.confidence.toFixed(3)}${r.fallback ? ' (no face found: centre crop)' : ''}${r.corrupt === null ? '' : ` (corrupt photo, the answer may be wrong: ${r.corrupt})`}`,
      };
    case 'csv':
      return {
        header: stringify([[...CSV_COLUMNS]]).trimEnd(),
        line: (r) => stringify([[r.path, r.answer.cls, r.answer.mask, r.answer.gender, r.answer.age, conf(r.answer.confidence), r.corrupt ?? '']]).trimEnd(),
      };
    case 'jsonl':
      return {
        header: null,
        line: (r) =>
          JSON.stringify({
            path: r.path,
            class: r.answer.cls,
            mask: r.answer.mask,
            gender: r.answer.gender,
            age: r.answer.age,
            confidence: conf(r.answer.confidence),
            ...(r.fallback === null ? {} : { faceFound: !r.fallback }),
            ...(r.corrupt === null ? {} : { corrupt: r.corrupt }),
          } satisfies PredictJsonLine),
      };
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}
