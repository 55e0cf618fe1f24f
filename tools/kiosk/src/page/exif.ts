/**
 * Browsers turn a JPEG by its EXIF orientation when they decode it (createImageBitmap's
 * `imageOrientation: 'none'` no longer stops Chromium), while training decodes with sharp and does
 * not turn (as torchvision does not). So the page hands the browser a copy whose orientation tag
 * says 1, "as stored": the same pixels in the same order as `pnpm predict` sees.
 */
export function withStoredOrientation(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return bytes;
  let p = 2;
  while (p + 4 <= bytes.length && bytes[p] === 0xff) {
    const marker = bytes[p + 1]!;
    // Start of scan or end of image: no EXIF header before the pixels.
    if (marker === 0xda || marker === 0xd9) break;
    const len = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    if (marker === 0xe1 && isExifHeader(bytes, p + 4)) {
      const out = bytes.slice();
      setOrientation(out, p + 10, Math.min(p + 2 + len, out.length));
      return out;
    }
    p += 2 + len;
  }
  return bytes;
}

/** "Exif\0\0" */
function isExifHeader(b: Uint8Array, at: number): boolean {
  return [0x45, 0x78, 0x69, 0x66, 0, 0].every((v, i) => b[at + i] === v);
}

/** Sets IFD0's orientation (tag 0x0112, a SHORT held in the entry) to 1, in the TIFF block [tiff, end). */
function setOrientation(b: Uint8Array, tiff: number, end: number): void {
  const le = b[tiff] === 0x49 && b[tiff + 1] === 0x49;
  const u16 = (o: number) => (le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!);
  const u32 = (o: number) => (le ? (u16(o + 2) << 16) | u16(o) : (u16(o) << 16) | u16(o + 2)) >>> 0;
  const ifd = tiff + u32(tiff + 4);
  if (ifd + 2 > end) return;
  const n = u16(ifd);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > end) return;
    if (u16(e) === 0x0112) {
      b[e + 8] = le ? 1 : 0;
      b[e + 9] = le ? 0 : 1;
      return;
    }
  }
}
