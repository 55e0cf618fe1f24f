import type { DecodedPhoto } from '@facemask/augment/decode';
import type { DetectionRecord } from '../record.ts';

/** An afterDetect hook for tests (node/after-detect.ts): the photo's first `options.bytes` bytes, then its width, height and face count. */
export const AFTER_DETECT_FIXTURE = import.meta.url;

export function afterDetect(image: DecodedPhoto, record: DetectionRecord, _file: string, options: unknown): Uint8Array | null {
  const { bytes } = options as { bytes: number };
  return Uint8Array.from([...image.data.subarray(0, bytes), image.width, image.height, record.faces.length]);
}
