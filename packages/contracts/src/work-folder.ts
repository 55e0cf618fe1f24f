import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { workLayout } from './layout.ts';

/**
 * data.work is a folder the pipeline owns: its stages replace whole folders in it (writeDirAtomic)
 * and prune what they do not name, so a misspelt data.work ("packages") would delete sources. A
 * marker file says a folder is a work folder; only an absent or empty folder, or one an earlier
 * run marked, is written to.
 */

export const WORK_FOLDER_FILES = {
  /** Says "a pipeline run wrote here"; the same bytes in every work folder, so two compare equal. */
  marker: '.facemask-work',
  /** The run that holds the folder now (tools/pipeline's lock). */
  lock: '.facemask-lock',
  /**
   * The resolved config of the folder's last pipeline run, written when it starts (tools/pipeline's
   * runs.ts: `pnpm runs` compares runs by it). Outside every Nx output, so no cache key sees it.
   */
  config: 'config.json',
} as const;

export const workFolderFiles = (work: string) => ({
  marker: join(work, WORK_FOLDER_FILES.marker),
  lock: join(work, WORK_FOLDER_FILES.lock),
  config: join(work, WORK_FOLDER_FILES.config),
});

const MARKER_KIND = 'facemask/work-folder';

/** The top-level names of the work layout: a folder holding only these is an unmarked work folder of an earlier version. */
function layoutNames(): Set<string> {
  const w = 'w';
  const paths = [
    workLayout.detect(w).dir,
    workLayout.preprocess(w).dir,
    workLayout.imageStores(w),
    workLayout.fingerprintSidecar(w),
    workLayout.trainRound(w, 1),
    workLayout.features(w).dir,
    workLayout.ensemble(w, 1).dir,
    workLayout.pseudoLabel(w).dir,
    workLayout.submission(w).dir,
    workLayout.report(w).dir,
  ];
  return new Set([...paths.map((p) => relative(w, p).split(sep)[0]!), ...Object.values(WORK_FOLDER_FILES)]);
}

/** A writer's temporary sibling (atomic.ts: `.<name>.<pid>.<hex>.tmp|old`) of a layout entry. */
const TEMP = /^\.(.+)\.\d+\.[0-9a-f]{8}\.(tmp|old)$/;

export class ForeignWorkFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForeignWorkFolderError';
  }
}

/**
 * Makes sure `work` is the pipeline's before anything is written there, and marks it: absent or
 * empty (marked now), marked by an earlier run, or holding nothing but the work layout's own
 * entries (a work folder from before markers; marked now). Anything else is refused.
 */
export async function claimWorkFolder(work: string): Promise<void> {
  if ((await checkWorkFolder(work)) === 'unmarked') await writeFileAtomic(workFolderFiles(resolve(work)).marker, JSON.stringify({ kind: MARKER_KIND, version: 1 }) + '\n');
}

/** claimWorkFolder's check alone, writing nothing: whether the folder is marked yet. */
export async function checkWorkFolder(work: string): Promise<'marked' | 'unmarked'> {
  const dir = resolve(work);
  const files = workFolderFiles(dir);
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (info && !info.isDirectory()) throw new ForeignWorkFolderError(`data.work ${dir} is a file: set data.work to a new or empty folder`);
  const names = info ? await readdir(dir) : [];
  if (names.includes(WORK_FOLDER_FILES.marker)) {
    const text = await readFile(files.marker, 'utf8').catch(() => '');
    if (text.includes(MARKER_KIND)) return 'marked';
    throw new ForeignWorkFolderError(`data.work ${dir} has a ${WORK_FOLDER_FILES.marker} that no pipeline run wrote: set data.work to a new or empty folder`);
  }
  const known = layoutNames();
  const foreign = names.filter((n) => !known.has(n) && !known.has(TEMP.exec(n)?.[1] ?? '')).sort();
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, … (${foreign.length} in all)` : '');
    throw new ForeignWorkFolderError(
      `data.work ${dir} holds files no pipeline run wrote (${shown}) and no ${WORK_FOLDER_FILES.marker} marker: set data.work to a new or empty folder (the stages replace and prune what is in it)`,
    );
  }
  return 'unmarked';
}
