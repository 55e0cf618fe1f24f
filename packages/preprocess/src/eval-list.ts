import { readInputCsv } from './csv-input.ts';
import { type Issues } from './issues.ts';
import { dataLayout, EVAL_CSV_COLUMNS } from '@facemask/contracts';
import { scanEvalImages } from './scan.ts';

export interface EvalEntry {
  ImageID: string;
  path: string;
}

/** info.csv rows (in order) paired with their files in eval/images. */
export async function listEvalImages(root: string, issues: Issues): Promise<{ entries: EvalEntry[]; hiddenFiles: number }> {
  const csv = dataLayout.infoCsv(root);
  const rows = await readInputCsv(csv, EVAL_CSV_COLUMNS, 'eval/info.csv');
  const { files, hiddenFiles } = await scanEvalImages(root);
  const seen = new Map<string, number>();
  const entries: EvalEntry[] = [];
  rows.forEach((r, i) => {
    const row = i + 1;
    const id = r.ImageID ?? '';
    if (!id) {
      issues.badEval(csv, `row ${row} has an empty ImageID`, 'fill in the image file name or delete the row');
      return;
    }
    const first = seen.get(id);
    if (first !== undefined) {
      issues.badEval(csv, `duplicate ImageID ${id} on rows ${first} and ${row}`, 'list each eval image once');
      return;
    }
    seen.set(id, row);
    const path = files.get(id);
    if (!path) {
      issues.badEval(csv, `row ${row} (ImageID ${id}) has no image: eval/images/${id} does not exist`, 'add the image to eval/images or delete the row');
      return;
    }
    entries.push({ ImageID: id, path });
  });
  const unlisted = [...files.keys()].filter((f) => !seen.has(f));
  if (unlisted.length > 0) {
    const some = unlisted.slice(0, 3).join(', ');
    issues.warn(`${unlisted.length} file(s) in eval/images are not listed in ${csv} and are ignored (${some}${unlisted.length > 3 ? ', ...' : ''})`);
  }
  return { entries, hiddenFiles };
}
