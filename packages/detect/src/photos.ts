import { dataRelative, type PhotoKind } from '@facemask/contracts';
import { listDataRoot, photoName } from '@facemask/contracts/data-root';

/** A photo of the data root to detect faces in. */
export interface Photo {
  /** The file. */
  file: string;
  /** Relative to the data root with "/" ("train/images/<folder>/mask1.jpg", "eval/images/<ImageID>"): the record's path. */
  path: string;
  /** mask1..normal for a train photo named by its kind, "eval" for an eval photo, null otherwise. */
  group: PhotoKind | 'eval' | null;
}

/**
 * Every photo under train/images/<person>/ and eval/images/ (sorted; dot files left out). A superset
 * of what preprocess caches: a photo it leaves out costs a detection, never a missing record.
 */
export async function listPhotos(root: string): Promise<Photo[]> {
  const { train, eval: evalImages } = await listDataRoot(root);
  const out: Photo[] = [];
  for (const person of train.entries) {
    if (!person.isDir) continue;
    for (const f of person.folder.entries) {
      const { photo, kind } = photoName(f.name);
      if (!f.isDir && photo) out.push({ file: f.path, path: dataRelative(root, f.path), group: kind });
    }
  }
  for (const f of evalImages.files) out.push({ file: f.path, path: dataRelative(root, f.path), group: 'eval' });
  return out;
}
