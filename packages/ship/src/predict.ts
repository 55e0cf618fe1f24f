import { decodePhoto } from '@facemask/image-cache';
import { classifyPixels, type Answer, type LoadedEnsemble } from './classify.ts';
import { cropToInput, type Cropped, type FaceFinder } from './crop.ts';

/**
 * Predicts photo files in batches, in order, holding at most two batches of photos (the one being
 * classified and the next one decoding): a folder of any size streams through in bounded memory.
 */

export interface PhotoResult {
  path: string;
  answer: Answer;
  /** Face crop only: no face was found and the centre fallback was used; null for a centre crop. */
  fallback: boolean | null;
  /** The photo decoded through corrupt data (libjpeg's words); its answer may be wrong. Null when clean. */
  corrupt: string | null;
}

export interface PhotoFailure {
  path: string;
  reason: string;
}

export interface PredictFilesOptions {
  batchSize?: number;
  /** null unless the model crops around the face. */
  faces?: FaceFinder | null;
  /** Each photo's result or failure, in input order. */
  onResult(r: PhotoResult): void;
  onFailure(f: PhotoFailure): void;
  /** After each batch, with the photos it held. */
  onBatch?(photos: number): void;
}

export interface PredictSummary {
  predicted: number;
  failed: number;
  fallbacks: number;
  /** Predicted, but from a photo that decoded through corrupt data. */
  corrupt: number;
}

type Answerable = Cropped & { corrupt: string | null };
type Loaded = Answerable | PhotoFailure;

export async function predictFiles(ens: LoadedEnsemble, files: readonly string[], opts: PredictFilesOptions): Promise<PredictSummary> {
  const bs = opts.batchSize ?? 16;
  if (!Number.isInteger(bs) || bs < 1) throw new RangeError(`batch size must be a whole number >= 1, got ${bs}`);
  const summary: PredictSummary = { predicted: 0, failed: 0, fallbacks: 0, corrupt: 0 };
  const { height, width } = ens.manifest.input;
  const bytes = height * width * 3;
  const batches: string[][] = [];
  for (let i = 0; i < files.length; i += bs) batches.push(files.slice(i, i + bs));
  const load = (batch: string[]) => {
    const p = loadBatch(batch, ens, opts.faces ?? null);
    // Awaited below; keeps an early rejection from counting as unhandled.
    p.catch(() => {});
    return p;
  };
  let pending = batches.length ? load(batches[0]!) : null;
  for (let b = 0; b < batches.length; b++) {
    const loaded = await (pending as Promise<Loaded[]>);
    pending = b + 1 < batches.length ? load(batches[b + 1]!) : null;
    const ok = loaded.filter((x): x is Answerable => !('reason' in x));
    const pixels = new Uint8Array(ok.length * bytes);
    ok.forEach((x, i) => pixels.set(x.pixels, i * bytes));
    const answers = ok.length ? classifyPixels(ens, pixels, ok.length) : [];
    let k = 0;
    loaded.forEach((x, i) => {
      const path = batches[b]![i]!;
      if ('reason' in x) {
        summary.failed += 1;
        opts.onFailure(x);
        return;
      }
      summary.predicted += 1;
      if (x.fallback) summary.fallbacks += 1;
      if (x.corrupt !== null) summary.corrupt += 1;
      opts.onResult({ path, answer: answers[k++]!, fallback: x.fallback, corrupt: x.corrupt });
    });
    opts.onBatch?.(loaded.length);
  }
  return summary;
}

/** Decodes a batch in parallel (sharp's threads), then crops each photo in turn (a detector is not re-entrant). */
async function loadBatch(paths: string[], ens: LoadedEnsemble, faces: FaceFinder | null): Promise<Loaded[]> {
  const decoded = await Promise.all(paths.map((path) => decodePhoto(path).catch((err: Error) => ({ path, reason: err.message }))));
  const out: Loaded[] = [];
  for (const d of decoded) {
    if ('reason' in d) out.push(d);
    else out.push({ ...(await cropToInput(d, ens.manifest, faces)), corrupt: d.corrupt ?? null });
  }
  return out;
}
