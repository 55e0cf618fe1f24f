import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headingAnchor, readmeContents, withContents } from './readme-contents.ts';
import { WORKSPACE_ROOT } from './workspace.ts';

describe("the README's contents", () => {
  it("links each heading by GitHub's anchor", () => {
    expect(headingAnchor('The native engine: `pnpm native:install`')).toBe('the-native-engine-pnpm-nativeinstall');
    expect(headingAnchor('Real faces on a CPU: `real-cpu.json`')).toBe('real-faces-on-a-cpu-real-cpujson');
    expect(headingAnchor('GPU (WebGPU)')).toBe('gpu-webgpu');
  });

  it('lists sections and subsections, never a heading inside a code block', () => {
    const text = ['# t', '## One', '```', '## not a heading', '```', '### Two `x`', ''].join('\n');
    expect(readmeContents(text).split('\n').slice(1, -1)).toEqual(['- [One](#one)', '  - [Two x](#two-x)']);
  });

  it('is current in README.md (run pnpm docs:gen after adding a section)', async () => {
    const readme = await readFile(join(WORKSPACE_ROOT, 'README.md'), 'utf8');
    expect(withContents(readme)).toBe(readme);
  });
});
