import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGES_MARKERS, packagesTable } from './packages-table.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

describe("the README's package table", () => {
  it('is the one package.json files give (run pnpm docs:gen after changing a kind or a description)', async () => {
    const readme = await readFile(join(WORKSPACE_ROOT, 'README.md'), 'utf8');
    const i = readme.indexOf(PACKAGES_MARKERS.begin);
    const j = readme.indexOf(PACKAGES_MARKERS.end);
    expect(i, 'README.md has the generated package table').toBeGreaterThanOrEqual(0);
    expect(readme.slice(i, j + PACKAGES_MARKERS.end.length)).toBe(packagesTable(WORKSPACE_ROOT));
  });

  it('lists the stages first, in the order the pipeline declares them', () => {
    const rows = packagesTable(WORKSPACE_ROOT).split('\n').filter((l) => l.startsWith('| `'));
    const stages = rows.filter((r) => r.includes('| stage |')).map((r) => r.split('`')[1]);
    expect(stages.slice(0, 3)).toEqual(['packages/detect', 'packages/preprocess', 'packages/train']);
    expect(rows.findIndex((r) => r.includes('| library |'))).toBe(stages.length);
  });
});
