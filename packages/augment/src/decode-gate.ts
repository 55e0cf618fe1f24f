/**
 * A shared/exclusive gate for decodes. libvips keeps one error buffer per process, so a decode
 * that fails while others run can lose its own words to theirs ("Warning treated as error due to
 * failOn setting" with libjpeg's reason gone). Decodes run shared; the rare re-decode that recovers
 * a damaged photo's reason runs exclusive, with nothing else decoding beside it.
 */
let writer: Promise<void> | null = null;
let readers = 0;
let onIdle: (() => void) | null = null;

export async function shared<T>(work: () => Promise<T>): Promise<T> {
  while (writer) await writer;
  readers += 1;
  try {
    return await work();
  } finally {
    readers -= 1;
    if (readers === 0 && onIdle) onIdle();
  }
}

export async function exclusive<T>(work: () => Promise<T>): Promise<T> {
  while (writer) await writer;
  // Set before waiting for the readers to drain, so that new readers queue behind this writer.
  let release!: () => void;
  writer = new Promise<void>((r) => (release = r));
  try {
    if (readers > 0) await new Promise<void>((r) => (onIdle = r));
    onIdle = null;
    return await work();
  } finally {
    writer = null;
    release();
  }
}

/** How many decodes hold the gate now (tests). */
export function gateState(): { readers: number; writer: boolean } {
  return { readers, writer: writer !== null };
}
