/**
 * A JPEG whose second half is garbage but whose markers are intact: it decodes, with libjpeg
 * warning about corrupt data, the way a photo damaged in transfer does. Tests make one from a
 * real photo so that no broken file is shipped.
 */
export function corruptSecondHalf(jpeg: Uint8Array): Buffer {
  const out = Buffer.from(jpeg);
  if (out[0] !== 0xff || out[1] !== 0xd8 || out.readUInt16BE(out.length - 2) !== 0xffd9) {
    throw new Error('corruptSecondHalf: not a whole JPEG (SOI ... EOI)');
  }
  const sos = lastScanStart(out);
  const data = sos + 2 + out.readUInt16BE(sos + 2);
  const from = Math.max(data, out.length >> 1);
  // Noise as a damaged transfer leaves it: some 0xFF pairs read as stray markers, which end the
  // scan before its last block ("premature end of data segment"). A fixed LCG keeps it the same bytes.
  let x = 12345;
  for (let i = from; i < out.length - 2; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function lastScanStart(jpeg: Buffer): number {
  let at = -1;
  for (let i = 2; i < jpeg.length - 1; i++) if (jpeg[i] === 0xff && jpeg[i + 1] === 0xda) at = i;
  if (at < 0) throw new Error('corruptSecondHalf: no start-of-scan marker');
  return at;
}
