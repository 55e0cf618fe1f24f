import { describe, expect, it } from 'vitest';
import { faceBox } from './face-box.ts';

const look = { face: { halfWidth: 70, jawHalfWidth: 50, chinHalfWidth: 20, chinY: 100 } };
const still = { dx: 0, dy: 0, rotation: 0, scale: 1 };

describe('faceBox', () => {
  // By hand: chin 102.5, head top -98.75, so the face is 201.25 units tall, the square 221.375 units
  // (5% more on each side) centred 1.875 units below the head centre; 1.22 px a unit on the canvas,
  // whose head centre is (192, 228).
  it('is the forehead-to-chin square around the drawn head', () => {
    const b = faceBox(look, still, 384, 512);
    expect(b.width).toBeCloseTo(221.375 * 1.22, 9);
    expect(b.height).toBe(b.width);
    expect(b.x + b.width / 2).toBeCloseTo(192, 9);
    expect(b.y + b.height / 2).toBeCloseTo(228 + 1.875 * 1.22, 9);
  });

  it('follows the head: shifted, scaled and turned about the head centre', () => {
    const b = faceBox(look, { dx: 10, dy: -5, rotation: 90, scale: 0.5 }, 384, 512);
    expect(b.width).toBeCloseTo(221.375 * 1.22 * 0.5, 9);
    // a quarter turn clockwise moves the centre (0, 1.875) below the head centre to its left
    expect(b.x + b.width / 2).toBeCloseTo(202 - 1.875 * 0.61, 9);
    expect(b.y + b.height / 2).toBeCloseTo(223, 9);
  });

  it('scales and crops the canvas like the SVG viewBox (preserveAspectRatio slice)', () => {
    const half = faceBox(look, still, 192, 256);
    const full = faceBox(look, still, 384, 512);
    expect(half.x).toBeCloseTo(full.x / 2, 9);
    expect(half.width).toBeCloseTo(full.width / 2, 9);
    // 384x384: the 384x512 canvas keeps its scale and loses 64 px at the top and the bottom
    const square = faceBox(look, still, 384, 384);
    expect(square.y).toBeCloseTo(full.y - 64, 9);
    expect(square.x).toBeCloseTo(full.x, 9);
  });
});
