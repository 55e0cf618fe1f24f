import { DETECT_FILES, detectionsArtifact, inDir, writeArtifact, writeDirAtomic, writeFileAtomic, type DetectionsInput } from '@facemask/contracts';

/** The detect folder in one atomic swap: the detections artifact and the summary text. */
export async function writeDetections(dir: string, detections: DetectionsInput, report: string): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    const out = inDir(tmp, DETECT_FILES);
    await writeArtifact(detectionsArtifact, out.detections, detections);
    await writeFileAtomic(out.summaryText, report + '\n');
  });
}
