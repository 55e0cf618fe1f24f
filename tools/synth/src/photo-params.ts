import { Rng, maskOfKind, type PhotoKind } from '@facemask/contracts';
import { clamp, hsl, type Rgb } from './color.ts';
import type { Person } from './person.ts';

export const MASK_STYLES = ['surgical', 'cloth', 'kn95', 'patterned'] as const;
export type MaskStyle = (typeof MASK_STYLES)[number];
export type PatternKind = 'dots' | 'stripes' | 'checks' | 'flowers';

export interface MaskDesign {
  style: MaskStyle;
  color: Rgb;
  accent: Rgb;
  pattern: PatternKind;
  /** Relative size jitter so one mask type is not one exact outline. */
  widthScale: number;
  heightScale: number;
}

/** "under-nose": nose out, mouth covered; "chin": pulled down below the mouth. */
export type MaskPlacement = 'on' | 'under-nose' | 'chin';

/** Everything that changes between one person's photos: pose, light, background, noise, mask. */
export interface PhotoParams {
  kind: PhotoKind;
  rotation: number;
  dx: number;
  dy: number;
  scale: number;
  yaw: number;
  brightness: number;
  contrast: number;
  warmth: number;
  noise: number;
  blur: number;
  light: { angle: number; strength: number };
  background: { from: Rgb; to: Rgb; angle: number; panels: { x: number; y: number; w: number; h: number; color: Rgb }[] };
  mouthOpen: number;
  mask: { design: MaskDesign; placement: MaskPlacement; drop: number } | null;
}

const SURGICAL: readonly Rgb[] = [
  [150, 195, 228], [120, 170, 215], [236, 238, 240], [40, 42, 48], [232, 180, 196], [170, 215, 200], [200, 200, 205],
];
const SOLID: readonly Rgb[] = [
  [25, 25, 28], [70, 72, 78], [40, 50, 90], [200, 185, 160], [235, 235, 232], [90, 100, 70], [120, 40, 50], [160, 160, 165],
];

function drawMaskDesign(rng: Rng): MaskDesign {
  const style = rng.pick(MASK_STYLES);
  const jitter = (c: Rgb, d: number): Rgb => [c[0] + rng.normal(0, d), c[1] + rng.normal(0, d), c[2] + rng.normal(0, d)];
  const color =
    style === 'surgical' ? jitter(rng.pick(SURGICAL), 8)
    : style === 'kn95' ? jitter(rng.pick([[238, 238, 236], [215, 216, 220], [30, 30, 34], [236, 200, 206], [190, 215, 235]] as const), 6)
    : style === 'cloth' ? jitter(rng.pick(SOLID), 10)
    : hsl(rng.uniform(0, 360), rng.uniform(0.2, 0.7), rng.uniform(0.3, 0.8));
  return {
    style,
    color,
    accent: hsl(rng.uniform(0, 360), rng.uniform(0.3, 0.9), rng.uniform(0.15, 0.9)),
    pattern: rng.pick(['dots', 'stripes', 'checks', 'flowers'] as const),
    widthScale: rng.uniform(0.94, 1.06),
    heightScale: rng.uniform(0.94, 1.06),
  };
}

export function drawPhotoParams(seed: number, person: Person, kind: PhotoKind): PhotoParams {
  const rng = Rng.derive(seed, 'photo', person.id, kind);
  const mask = maskOfKind(kind);
  const hue = rng.bool(0.7) ? person.look.backgroundHue + rng.normal(0, 20) : rng.uniform(0, 360);
  const sat = rng.uniform(0, 0.35);
  const lig = rng.uniform(0.3, 0.9);
  const panels = Array.from({ length: rng.int(0, 3) }, () => ({
    x: rng.uniform(-40, 384),
    y: rng.uniform(-40, 300),
    w: rng.uniform(40, 200),
    h: rng.uniform(60, 400),
    color: hsl(hue + rng.normal(0, 40), sat * rng.uniform(0.5, 1.5), clamp(lig + rng.normal(0, 0.15), 0.1, 0.95)),
  }));
  return {
    kind,
    rotation: clamp(rng.normal(0, 4), -11, 11),
    dx: rng.normal(0, 12),
    dy: rng.normal(0, 12),
    scale: rng.uniform(0.86, 1.12),
    yaw: clamp(rng.normal(0, 0.3), -0.7, 0.7),
    brightness: rng.uniform(0.78, 1.2),
    contrast: rng.uniform(0.8, 1.15),
    warmth: rng.normal(0, 0.05),
    noise: rng.uniform(1.5, 8),
    blur: rng.uniform(0.3, 1.3),
    light: { angle: rng.uniform(0, 360), strength: rng.uniform(0, 0.35) },
    background: {
      from: hsl(hue, sat, lig),
      to: hsl(hue + rng.normal(0, 15), sat * rng.uniform(0.6, 1.3), clamp(lig + rng.normal(0, 0.15), 0.1, 0.95)),
      angle: rng.uniform(0, 360),
      panels,
    },
    mouthOpen: rng.bool(0.25) ? rng.uniform(0.2, 1) : 0,
    mask:
      mask === 2
        ? null
        : mask === 1
          ? { design: drawMaskDesign(rng), placement: rng.bool(0.6) ? 'under-nose' : 'chin', drop: rng.uniform(0, 1) }
          : { design: drawMaskDesign(rng), placement: 'on', drop: rng.uniform(0, 1) },
  };
}
