import { Rng, genderName, type Gender, type PhotoKind } from '@facemask/contracts';
import { personFolderId } from './person.ts';

/** The race the competition's folder names carry for every person. */
export const RACE = 'Asian';
export const TRAIN_CSV_COLUMNS = ['id', 'gender', 'race', 'age', 'path'] as const;
export const INFO_CSV_COLUMNS = ['ImageID', 'ans'] as const;
export const FACE_BOX_COLUMNS = ['path', 'x', 'y', 'width', 'height'] as const;
export const PHOTO_EXTENSIONS = ['.jpg', '.jpeg', '.png'] as const;

/** "000012_female_Asian_45" */
export function trainFolderName(id: number, gender: Gender, age: number): string {
  return `${personFolderId(id)}_${genderName(gender)}_${RACE}_${age}`;
}

export interface ParsedFolder {
  id: string;
  gender: 'male' | 'female';
  race: string;
  age: number;
}

/** Parses `<id>_<gender>_<race>_<age>`; null when the name does not have that shape. */
export function parseFolderName(name: string): ParsedFolder | null {
  const m = /^(\d+)_(male|female)_([A-Za-z]+)_(\d{1,3})$/.exec(name);
  if (!m) return null;
  return { id: m[1] as string, gender: m[2] as 'male' | 'female', race: m[3] as string, age: Number(m[4]) };
}

/** An opaque 40-hex-digit eval file name (like the competition's), fixed by (seed, person, kind). */
export function evalImageName(seed: number, personId: number, kind: PhotoKind): string {
  const rng = Rng.derive(seed, 'eval-name', personId, kind);
  let hex = '';
  for (let i = 0; i < 5; i++) hex += ((rng.next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
  return `${hex}.jpg`;
}
