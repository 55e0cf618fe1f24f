import type { DecodedPhoto } from '@facemask/augment/decode';
import type { DetectionRecord } from '../record.ts';

/**
 * Work a caller does on each photo while detectFiles has it decoded, so a photo that needs its
 * faces and something else of its pixels (the image cache's crop) is decoded once. A module and
 * options rather than a function: the work runs in detectFiles' worker processes, which can be
 * handed only data. The module exports `afterDetect` (an AfterDetect); its options must survive
 * structured cloning.
 */
export interface AfterDetectHook {
  /** The module's URL (its own `import.meta.url`, so a source and a built module each name themselves). */
  module: string;
  options: unknown;
}

/**
 * Given the decoded photo, its record (whose `path` is the file as detectFiles was handed it) and
 * the file: bytes to hand back beside the record, or null for none.
 */
export type AfterDetect = (image: DecodedPhoto, record: DetectionRecord, file: string, options: unknown) => Uint8Array | null;

/** The hook's function bound to its options. */
export async function loadAfterDetect(hook: AfterDetectHook): Promise<(image: DecodedPhoto, record: DetectionRecord, file: string) => Uint8Array | null> {
  const mod = (await import(hook.module)) as { afterDetect?: AfterDetect };
  const fn = mod.afterDetect;
  if (typeof fn !== 'function') throw new Error(`${hook.module} exports no afterDetect function, which detectFiles' afterDetect hook needs`);
  return (image, record, file) => fn(image, record, file, hook.options);
}
