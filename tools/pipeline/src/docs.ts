#!/usr/bin/env node
/**
 * `pnpm docs:gen`: rewrites the generated parts of the READMEs from the code that defines them: each
 * stage package's Reads table (contracts' stage selectors), the README's package table (each
 * package.json's kind and description) and its contents (its headings). Tests fail when they
 * drift apart.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { paramsMarkers, paramsTable, parseConfig, runIfEntryPoint, STAGE_NAMES, STAGES } from '@facemask/contracts';
import { PACKAGES_MARKERS, packagesTable } from './packages-table.ts';
import { CONTENTS_MARKERS, withContents } from './readme-contents.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

export async function main(): Promise<number> {
  const defaults = parseConfig({ data: { root: '<data root>' } });
  for (const name of STAGE_NAMES) {
    const file = resolve(WORKSPACE_ROOT, 'packages', STAGES[name].project, 'README.md');
    const text = await readFile(file, 'utf8');
    const { begin, end } = paramsMarkers(name);
    const i = text.indexOf(begin);
    const j = text.indexOf(end, i);
    if (i < 0 || j < 0) {
      console.error(`${file} has no "${begin}" ... "${end}" block: add one where the Reads table belongs`);
      return 1;
    }
    const next = text.slice(0, i) + paramsTable(name, defaults) + text.slice(j + end.length);
    if (next !== text) {
      await writeFile(file, next);
      console.log(`updated ${file}`);
    }
  }
  const readme = resolve(WORKSPACE_ROOT, 'README.md');
  const text = await readFile(readme, 'utf8');
  const i = text.indexOf(PACKAGES_MARKERS.begin);
  const j = text.indexOf(PACKAGES_MARKERS.end, i);
  if (i < 0 || j < 0) {
    console.error(`${readme} has no "${PACKAGES_MARKERS.begin}" ... "${PACKAGES_MARKERS.end}" block: add one under "Packages"`);
    return 1;
  }
  const tabled = text.slice(0, i) + packagesTable(WORKSPACE_ROOT) + text.slice(j + PACKAGES_MARKERS.end.length);
  const next = withContents(tabled);
  if (next === null) {
    console.error(`${readme} has no "${CONTENTS_MARKERS.begin}" ... "${CONTENTS_MARKERS.end}" block: add one under the introduction`);
    return 1;
  }
  if (next !== text) {
    await writeFile(readme, next);
    console.log(`updated ${readme}`);
  }
  return 0;
}

runIfEntryPoint(import.meta.url, async () => main());
