/** The competition's 18-class scheme: class = mask * 6 + gender * 3 + ageBand. */

export const MASK_STATES = ['wear', 'incorrect', 'not_wear'] as const;
export const GENDERS = ['male', 'female'] as const;
export const AGE_BANDS = ['<30', '30-59', '60+'] as const;
export const NUM_CLASSES = 18;

export type Mask = 0 | 1 | 2;
export type Gender = 0 | 1;
export type AgeBand = 0 | 1 | 2;

/** The seven photo kinds of a person, in the order the competition lists them. */
export const PHOTO_KINDS = ['mask1', 'mask2', 'mask3', 'mask4', 'mask5', 'incorrect_mask', 'normal'] as const;
export type PhotoKind = (typeof PHOTO_KINDS)[number];

export function maskOfKind(kind: PhotoKind): Mask {
  if (kind === 'incorrect_mask') return 1;
  if (kind === 'normal') return 2;
  return 0;
}

export function isPhotoKind(s: string): s is PhotoKind {
  return (PHOTO_KINDS as readonly string[]).includes(s);
}

export function parseGender(s: string): Gender {
  const v = s.trim().toLowerCase();
  if (v === 'male') return 0;
  if (v === 'female') return 1;
  throw new Error(`unknown gender "${s}": expected "male" or "female"`);
}

export function genderName(g: Gender): 'male' | 'female' {
  return GENDERS[g];
}

/**
 * Age band with a configurable old-age threshold: the seed labelled 58 and 59 as 60+ (threshold 58).
 */
export function ageBand(age: number, oldThreshold = 60, youngThreshold = 30): AgeBand {
  if (!Number.isFinite(age) || age < 0) throw new Error(`invalid age ${age}`);
  if (age < youngThreshold) return 0;
  if (age < oldThreshold) return 1;
  return 2;
}

export function encodeClass(mask: Mask, gender: Gender, band: AgeBand): number {
  return mask * 6 + gender * 3 + band;
}

export function decodeClass(cls: number): { mask: Mask; gender: Gender; ageBand: AgeBand } {
  if (!Number.isInteger(cls) || cls < 0 || cls >= NUM_CLASSES) throw new Error(`class ${cls} is not in 0..17`);
  return {
    mask: Math.floor(cls / 6) as Mask,
    gender: (Math.floor(cls / 3) % 2) as Gender,
    ageBand: (cls % 3) as AgeBand,
  };
}

export function className(cls: number): string {
  const { mask, gender, ageBand: band } = decodeClass(cls);
  return `${MASK_STATES[mask]}/${GENDERS[gender]}/${AGE_BANDS[band]}`;
}
