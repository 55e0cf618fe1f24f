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
