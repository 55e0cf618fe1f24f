import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsv } from '@facemask/contracts';
import { selectBackend } from '@facemask/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceDetector } from './detector.ts';
import { cropOptionsSchema, faceRegion, faceSquare, type CropRegion } from './geometry.ts';
import { decodePhotoFile } from './node/decode.ts';
import { createNodeDetector } from './node/modules.ts';
import { DEFAULT_DETECT_OPTIONS, parseDetectOptions } from './options.ts';
import type { Box } from './record.ts';
import { centreInside, coverage, matchesSquare } from './score.ts';

/*
 * The 'similarity' chip on the synthetic generator's faces (tools/synth: heads drawn turned by up
 * to 11 degrees, and where each face is, in face_boxes.csv): from the eyes BlazeFace finds, the
 * chip must agree with BlazeFace's own face square (VOC match, score.ts), lie on the face the
 * generator drew, and hold at least as much of it as the box crop.
 */

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
let dir = '';
let detector: FaceDetector;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'align-synth-'));
  const synth = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', 'tools/synth/src/cli.ts', '--out', dir, '--people', '5', '--seed', '19', '--cues', 'clear'], {
    cwd: workspaceRoot,
    encoding: 'utf8',
  });
  if (synth.status !== 0) throw new Error(`pnpm synth failed: ${synth.stderr}`);
  await selectBackend({ log: () => {} });
  detector = await createNodeDetector(parseDetectOptions(DEFAULT_DETECT_OPTIONS));
}, 120_000);

afterAll(() => {
  detector?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The region's square as a box (its turn ignored: at most 11 degrees here). */
const asBox = (r: CropRegion): Box => ({ x: r.cx - r.width / 2, y: r.cy - r.height / 2, width: r.width, height: r.height });

describe("align 'similarity' on synthetic faces", () => {
  it('frames the drawn face from the eyes alone, as well as the box crop', async () => {
    const rows = (await readCsv(join(dir, 'face_boxes.csv'), ['path', 'x', 'y', 'width', 'height'])).filter((r) => r.path!.startsWith('train/'));
    expect(rows.length).toBeGreaterThanOrEqual(14);
    let checked = 0;
    const chipCover: number[] = [];
    const boxCover: number[] = [];
    for (const row of rows) {
      const truth = { x: Number(row.x), y: Number(row.y), width: Number(row.width), height: Number(row.height) };
      const img = await decodePhotoFile(join(dir, row.path!));
      const [face] = await detector.detect(img);
      if (!face?.eyes) continue;
      const crop = (margin: number) => faceRegion(face, img.width, img.height, cropOptionsSchema.parse({ align: 'similarity', margin, border: 'pad' }));
      const chip = crop(0);
      // The chip agrees with BlazeFace's own face square (the box crop's framing) and sits on the drawn face.
      expect(matchesSquare(asBox(chip), faceSquare(face)), row.path).toBe(true);
      expect(centreInside(asBox(chip), truth), row.path).toBe(true);
      const boxCrop = faceRegion(face, img.width, img.height, cropOptionsSchema.parse({ margin: 0.1, border: 'pad' }));
      chipCover.push(coverage(asBox(crop(0.1)), truth));
      boxCover.push(coverage(asBox(boxCrop), truth));
      checked++;
    }
    // BlazeFace finds the eyes of nearly every drawn face.
    expect(checked).toBeGreaterThanOrEqual(rows.length - 2);
    // At the recipe's margin the chip holds at least as much of the drawn face as the box crop,
    // on average (the generator's square is hair to chin, wider than either: 0.6 to 0.97 here).
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(chipCover)).toBeGreaterThanOrEqual(mean(boxCover));
  }, 120_000);
});
