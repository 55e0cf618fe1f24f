import sharp from 'sharp';

/**
 * JPEGs with the decoder warnings real camera files carry: built byte by byte so the test needs no
 * external encoder. Pillow 9.4 (libjpeg-turbo) opens every one of them; it refuses truncated files.
 */

/** Offset of marker 0xFF<code> at or after `from` (markers are byte-aligned; 0xFF00 is stuffing). */
function findMarker(jpeg: Buffer, code: number, from = 2): number {
  for (let i = from; i < jpeg.length - 1; i++) if (jpeg[i] === 0xff && jpeg[i + 1] === code) return i;
  throw new Error(`marker 0xff${code.toString(16)} not found`);
}

const segmentEnd = (jpeg: Buffer, at: number) => at + 2 + jpeg.readUInt16BE(at + 2);

/**
 * A baseline JPEG of `cols` x `rows` identical 8x8 solid blocks, with a restart marker after every
 * block. With the DC predictor reset at each restart, every block's entropy-coded bytes equal those
 * of a one-block image, so the file is valid without re-encoding.
 */
export async function jpegWithRestarts(rgb: [number, number, number], cols: number, rows: number): Promise<Buffer> {
  const one = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .jpeg({ quality: 90, chromaSubsampling: '4:4:4' })
    .toBuffer();
  const sof = findMarker(one, 0xc0);
  const sos = findMarker(one, 0xda);
  const eoi = one.length - 2;
  if (one.readUInt16BE(eoi) !== 0xffd9) throw new Error('encoder output does not end with EOI');
  const head = Buffer.from(one.subarray(0, sos));
  head.writeUInt16BE(8 * rows, sof + 5); // SOF: length(2) precision(1) height(2) width(2)
  head.writeUInt16BE(8 * cols, sof + 7);
  const dri = Buffer.from([0xff, 0xdd, 0x00, 0x04, 0x00, 0x01]);
  const scanHeader = one.subarray(sos, segmentEnd(one, sos));
  const block = one.subarray(segmentEnd(one, sos), eoi);
  const scan: Buffer[] = [];
  for (let i = 0; i < cols * rows; i++) {
    if (i > 0) scan.push(Buffer.from([0xff, 0xd0 + ((i - 1) % 8)]));
    scan.push(block);
  }
  return Buffer.concat([head, dri, scanHeader, ...scan, Buffer.from([0xff, 0xd9])]);
}

/** Renumbers the restart marker after block `after` ("Corrupt JPEG data: found marker 0xd3 instead of RST0"). */
export function misnumberRestart(jpeg: Buffer, after: number): Buffer {
  const out = Buffer.from(jpeg);
  let at = findMarker(out, 0xda);
  for (let seen = -1; seen < after; ) {
    at++;
    if (out[at] === 0xff && out[at + 1]! >= 0xd0 && out[at + 1]! <= 0xd7) seen++;
  }
  out[at + 1] = 0xd0 + ((out[at + 1]! - 0xd0 + 3) % 8);
  return out;
}

/** Sets the scan's spectral end to 62 ("Invalid SOS parameters for sequential JPEG"), as some cameras write. */
export function badScanParameters(jpeg: Buffer): Buffer {
  const out = Buffer.from(jpeg);
  const sos = findMarker(out, 0xda);
  out[segmentEnd(out, sos) - 2] = 62; // Ss, Se, AhAl end the SOS header
  return out;
}

/** The JPEG with its SOF saying width x height (the pixels are not there: the header is all a limit check reads). */
export function claimSize(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  const sof = findMarker(out, 0xc0);
  out.writeUInt16BE(height, sof + 5);
  out.writeUInt16BE(width, sof + 7);
  return out;
}
