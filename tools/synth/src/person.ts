import { Rng, type Gender } from '@facemask/contracts';
import { clamp, clamp01, hsl, mix, type Rgb } from './color.ts';

/**
 * How plainly the look shows gender and age band.
 * - "subtle" (the default): only continuous cues (a "masculinity" score, an "apparent age" 2
 *   years either side of the true one), so a 29 and a 31 year old look alike and the classes
 *   overlap the way real faces do; a small CPU model cannot separate the age bands at 64 px.
 * - "clear" (the demo's sample set): the same faces plus cues that switch on at the band
 *   boundaries and stay visible above a mask at 64 px (grey temples, under-eye shadows and bold
 *   crow's feet from 30, white hair from 60; short hair and heavy brows for men), and apparent
 *   age within half a year of the true one. Only people within about a year of 30 or 60 stay
 *   ambiguous, so a good model can reach a macro F1 above 0.9.
 */
export type CueStrength = 'clear' | 'subtle';
export const CUE_STRENGTHS: readonly CueStrength[] = ['clear', 'subtle'];

/** One synthetic person: the labels (gender, age) and the look shared by all seven photos. */
export interface Person {
  /** 1-based person number; the folder id is its 6-digit form. */
  id: number;
  gender: Gender;
  age: number;
  look: Look;
}

export interface Look {
  masculinity: number;
  apparentAge: number;
  skin: Rgb;
  face: { halfWidth: number; jawHalfWidth: number; chinHalfWidth: number; chinY: number };
  eyes: { y: number; spacing: number; width: number; height: number; tilt: number; doubleLid: boolean; iris: Rgb; lash: number };
  brows: { y: number; thickness: number; arch: number; length: number; color: Rgb };
  nose: { width: number; tipY: number };
  lips: { y: number; width: number; height: number; color: Rgb };
  hair: {
    color: Rgb;
    /** Fraction of grey, 0..1, rising with apparent age. */
    grey: number;
    /** 0 cropped .. 1 long past the shoulders. */
    length: number;
    volume: number;
    fringe: number;
    part: number;
    tied: boolean;
    /** Receding hairline 0..1. */
    recede: number;
  };
  beard: { stubble: number; moustache: number; full: number };
  /** Wrinkle strength 0..~1.2, rising with apparent age. */
  wrinkles: number;
  /** "clear" cues only (0 with "subtle"): grey temples, under-eye shadows, bold crow's feet, 0..1. */
  temples: number;
  eyeBags: number;
  crowsFeet: number;
  ageSpots: { x: number; y: number; r: number }[];
  blush: number;
  glasses: { color: Rgb; round: boolean } | null;
  earrings: Rgb | null;
  clothes: { color: Rgb; collar: 'round' | 'v' | 'shirt' };
  backgroundHue: number;
}

/** Share of people per age band (<30, 30-59, 60+) and the ages each band spans. */
export const AGE_BAND_SHARES = [0.45, 0.4, 0.15] as const;
const AGE_RANGES: readonly (readonly [number, number])[] = [
  [18, 29],
  [30, 59],
  [60, 75],
];
export const FEMALE_SHARE = 0.6;

export function personFolderId(id: number): string {
  if (!Number.isInteger(id) || id < 1 || id > 999_999) throw new Error(`person id ${id} is not in 1..999999`);
  return String(id).padStart(6, '0');
}

/** The person depends only on (seed, id, cues), never on how many people are drawn. */
export function drawPerson(seed: number, id: number, cues: CueStrength = 'subtle'): Person {
  const rng = Rng.derive(seed, 'person', id);
  const gender: Gender = rng.bool(FEMALE_SHARE) ? 1 : 0;
  const u = rng.next();
  const band = u < AGE_BAND_SHARES[0] ? 0 : u < AGE_BAND_SHARES[0] + AGE_BAND_SHARES[1] ? 1 : 2;
  const [lo, hi] = AGE_RANGES[band] as readonly [number, number];
  const age = rng.int(lo, hi + 1);
  const look = drawLook(Rng.derive(seed, 'look', id), gender, age, cues);
  if (cues === 'clear') sharpenLook(look, Rng.derive(seed, 'clear-look', id), gender);
  return { id, gender, age, look };
}

/** Smooth step from 0 to 1 across `edge`, nearly complete a year either side. */
function step(x: number, edge: number): number {
  return 1 / (1 + Math.exp(-(x - edge) / 0.3));
}

/**
 * Adds the "clear" cues to a subtle look. Band edges sit at 29.5 and 59.5 of apparent age, so
 * a 29-year-old shows none of the 30+ cues and a 31-year-old all of them.
 */
function sharpenLook(look: Look, rng: Rng, gender: Gender): void {
  const a = look.apparentAge;
  const adult = step(a, 29.5);
  const senior = step(a, 59.5);
  look.temples = adult;
  look.eyeBags = clamp01(0.7 * adult + 0.3 * senior);
  look.crowsFeet = adult;
  const h = look.hair;
  h.tied = false;
  // White from 60; below that only the temples grey, so the hair colour never blurs the bands.
  h.grey = clamp01(0.95 * senior + rng.normal(0, 0.02));
  h.color = mix(h.color, hsl(0, 0, 0.82), h.grey * 0.9);
  look.brows.color = mix(look.brows.color, hsl(0, 0, 0.75), senior * 0.7);
  if (gender === 0) {
    h.length = clamp(rng.normal(0.1, 0.05), 0, 0.22);
    look.brows.thickness = clamp(rng.normal(7.5, 0.6), 6.5, 9);
  } else {
    if (h.length < 0.45 && rng.bool(0.9)) h.length = rng.uniform(0.5, 0.9);
    look.brows.thickness = clamp(rng.normal(2.8, 0.3), 2, 3.5);
    look.eyes.lash = Math.max(look.eyes.lash, 0.8);
  }
}

function drawLook(rng: Rng, gender: Gender, age: number, cues: CueStrength): Look {
  const male = gender === 0;
  const m = clamp01(rng.normal(male ? 0.72 : 0.28, 0.1));
  const apparentAge = clamp(age + rng.normal(0, cues === 'clear' ? 0.5 : 2), 14, 85);
  const a = apparentAge;

  const skin = hsl(rng.uniform(22, 34), rng.uniform(0.3, 0.5) - 0.1 * clamp01((a - 40) / 40), rng.uniform(0.6, 0.77) - 0.04 * m);

  const halfWidth = 64 + 10 * m + rng.normal(0, 3) + 2 * clamp01((a - 40) / 30);
  const face = {
    halfWidth,
    jawHalfWidth: halfWidth * (0.58 + 0.22 * m + rng.normal(0, 0.04)) + 4 * clamp01((a - 45) / 30),
    chinHalfWidth: 13 + 10 * m + rng.normal(0, 2.5),
    chinY: 98 + 6 * m + rng.normal(0, 3),
  };

  const eyeY = -12 + rng.normal(0, 2);
  const eyes = {
    y: eyeY,
    spacing: 27 + rng.normal(0, 1.8),
    width: 23 + rng.normal(0, 1.6),
    height: clamp(9 + rng.normal(0, 1.2) - 1.5 * clamp01((a - 45) / 30) - 0.8 * m, 5, 13),
    tilt: rng.normal(2.5, 2) - 3 * clamp01((a - 50) / 25),
    doubleLid: rng.bool(0.5),
    iris: hsl(rng.uniform(18, 30), rng.uniform(0.3, 0.6), rng.uniform(0.1, 0.22)),
    lash: clamp01(1.1 - m * 1.3 + rng.normal(0, 0.15)),
  };

  const baseHair = rng.bool(male ? 0.1 : 0.3) && a < 55
    ? hsl(rng.uniform(15, 35), rng.uniform(0.25, 0.45), rng.uniform(0.17, 0.32)) // dyed brown
    : hsl(rng.uniform(15, 35), rng.uniform(0.15, 0.35), rng.uniform(0.06, 0.15));
  const dyesGrey = !male && rng.bool(0.2);
  const greyRaw = clamp01(1 / (1 + Math.exp(-(a - 54) / 6)) + rng.normal(0, 0.1));
  // With clear cues the hair greys at 60 exactly (sharpenLook), not gradually.
  const grey = cues === 'clear' ? 0 : dyesGrey ? greyRaw * 0.3 : greyRaw;
  const greyTarget = hsl(0, 0, rng.uniform(0.7, 0.85));
  const hairColor = mix(baseHair, greyTarget, grey * 0.85);

  let length = male ? rng.normal(0.12, 0.07) : rng.normal(0.66, 0.22);
  if (!male && rng.bool(0.15)) length = rng.uniform(0.15, 0.35);
  if (male && rng.bool(0.03)) length = rng.uniform(0.3, 0.45);
  length = clamp01(length - (male ? 0 : 0.15 * clamp01((a - 45) / 30)));
  const hair = {
    color: hairColor,
    grey,
    length,
    volume: clamp(rng.normal(8 + 6 * (1 - m), 3), 2, 20),
    fringe: rng.bool(male ? 0.35 : 0.55) ? rng.uniform(0.3, 1) : 0,
    part: rng.uniform(-1, 1),
    tied: !male && length > 0.45 && rng.bool(0.25),
    recede: male ? clamp01((a - 38) / 35 + rng.normal(0, 0.2)) : clamp01((a - 60) / 60 + rng.normal(0, 0.05)),
  };

  const browColor = mix(hairColor, baseHair, 0.4);
  const brows = {
    y: eyeY - 19 + rng.normal(0, 1.5) + 2 * m,
    thickness: clamp(3 + 4 * m + rng.normal(0, 0.8), 2, 9),
    arch: rng.uniform(1, 6) * (1.2 - 0.5 * m),
    length: 24 + rng.normal(0, 2),
    color: browColor,
  };

  const lipstick = !male && rng.bool(0.5) ? rng.uniform(0.2, 0.75) : 0;
  const lips = {
    y: 53 + rng.normal(0, 2) + 2 * m,
    width: 17 + rng.normal(0, 1.5) + 2 * m,
    height: clamp(6 + rng.normal(0, 1) - 2 * clamp01((a - 40) / 35), 3, 9),
    color: mix(hsl(rng.uniform(0, 12), 0.35, 0.55), hsl(rng.uniform(340, 360), 0.6, 0.42), lipstick),
  };

  const beardy = male ? rng.next() : 1;
  const beard = {
    stubble: beardy < 0.4 ? rng.uniform(0.2, 0.8) : 0,
    moustache: beardy < 0.2 ? rng.uniform(0.3, 1) : 0,
    full: beardy < 0.08 + 0.1 * clamp01((a - 40) / 30) ? rng.uniform(0.4, 1) : 0,
  };

  // Starts young and rises steadily, so every age band boundary has a visible (if gradual) cue.
  const wrinkles = clamp((a - 18) / 40 + rng.normal(0, 0.05), 0, 1.2);
  const spotCount = Math.max(0, Math.round((wrinkles - 0.6) * 8 + rng.normal(0, 1)));
  const ageSpots = Array.from({ length: spotCount }, () => ({
    x: rng.uniform(-halfWidth * 0.7, halfWidth * 0.7),
    y: rng.uniform(-50, 20),
    r: rng.uniform(1.2, 3),
  }));

  return {
    masculinity: m,
    apparentAge,
    skin,
    face,
    eyes,
    brows,
    nose: { width: 11 + 3 * m + rng.normal(0, 1), tipY: 26 + rng.normal(0, 2) },
    lips,
    hair,
    beard,
    wrinkles,
    temples: 0,
    eyeBags: 0,
    crowsFeet: 0,
    ageSpots,
    blush: male ? 0 : rng.uniform(0, 0.25),
    glasses: rng.bool(0.1 + 0.15 * clamp01((a - 40) / 30))
      ? { color: rng.bool(0.5) ? hsl(0, 0, rng.uniform(0.05, 0.25)) : hsl(rng.uniform(20, 45), 0.4, rng.uniform(0.3, 0.6)), round: rng.bool(0.4) }
      : null,
    earrings: !male && rng.bool(0.25) ? (rng.bool(0.5) ? [222, 190, 90] : [215, 215, 220]) : null,
    clothes: { color: hsl(rng.uniform(0, 360), rng.uniform(0, 0.6), rng.uniform(0.1, 0.85)), collar: rng.pick(['round', 'v', 'shirt'] as const) },
    backgroundHue: rng.uniform(0, 360),
  };
}

/** Which people go to eval: an exact share, chosen by a seeded shuffle of the ids 1..n. */
export function splitPeople(seed: number, people: number, evalFraction: number): { train: number[]; eval: number[] } {
  const ids = Array.from({ length: people }, (_, i) => i + 1);
  Rng.derive(seed, 'split').shuffle(ids);
  const nEval = Math.round(people * evalFraction);
  const byId = (x: number, y: number): number => x - y;
  return { eval: ids.slice(0, nEval).sort(byId), train: ids.slice(nEval).sort(byId) };
}
