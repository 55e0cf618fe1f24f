import { DETECT_FILES, detectionsArtifact, inDir, writeArtifact, writeDirAtomic, writeFileAtomic, type DetectionsInput } from '@facemask/contracts';
import { linkOrCopy } from '@facemask/contracts';

/** The detect folder in one atomic swap: the detections file `put` writes and the summary text. */
async function writeFolder(dir: string, report: string, put: (file: string) => Promise<unknown>): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    const out = inDir(tmp, DETECT_FILES);
    await put(out.detections);
    await writeFileAtomic(out.summaryText, report + '\n');
  });
}

/** The detect folder with the detections written into it. */
export function writeDetections(dir: string, detections: DetectionsInput, report: string): Promise<void> {
  return writeFolder(dir, report, (file) => writeArtifact(detectionsArtifact, file, detections));
}

/** The detect folder with the shared store's detections file linked in (no second copy on disk). */
export function linkDetections(dir: string, stored: string, report: string): Promise<void> {
  return writeFolder(dir, report, (file) => linkOrCopy(stored, file));
}
