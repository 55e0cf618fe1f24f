import { basename, isAbsolute, relative, sep } from 'node:path';

/**
 * A path as pages and summaries that Nx caches show it: relative to the workspace when inside it,
 * else `…/` and its last name. Those files are restored as they are on other machines (a team's
 * shared cache), where the writer's absolute paths would name folders that are not there.
 */
export function shownPath(path: string, workspaceRoot: string): string {
  const rel = relative(workspaceRoot, path);
  if (rel === '') return '.';
  if (!rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  return `…/${basename(path)}`;
}

/**
 * A message as those files and cached terminal output show it: every path inside the workspace
 * relative to it (a message from elsewhere, e.g. a store check's, names its files absolutely).
 */
export function shownPaths(text: string, workspaceRoot: string): string {
  return text.split(workspaceRoot + sep).join('');
}
