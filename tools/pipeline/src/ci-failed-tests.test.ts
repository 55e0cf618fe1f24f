import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from './workspace.ts';

// .ci/run ends with these names: a failure in an hour-long CI log must be identifiable.
const script = join(WORKSPACE_ROOT, '.ci', 'failed-tests');
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function failedTests(log: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'ci-log-'));
  dirs.push(dir);
  await writeFile(join(dir, 'log'), log);
  return execFileSync(script, [join(dir, 'log')], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('.ci/failed-tests', () => {
  it('names each failing test of an Nx-streamed vitest log once, with its project and file', async () => {
    const esc = '\x1b';
    const log = [
      `preprocess: ${esc}[31m   ${esc}[31m×${esc}[31m fingerprintDataRoot${esc}[2m > ${esc}[22mnotices a replacement${esc}[39m`,
      `preprocess: ${esc}[41m${esc}[1m FAIL ${esc}[22m${esc}[49m src/fingerprint.test.ts${esc}[2m > ${esc}[22mfingerprintDataRoot${esc}[2m > ${esc}[22mnotices a replacement`,
      `preprocess: ${esc}[2m      Tests ${esc}[22m ${esc}[1m${esc}[31m1 failed${esc}[39m${esc}[22m${esc}[2m | ${esc}[22m${esc}[1m${esc}[32m3 passed${esc}[39m`,
      'train:  FAIL  src/kill.test.ts [ src/kill.test.ts ]',
      'train:  FAIL  src/kill.test.ts [ src/kill.test.ts ]',
      ' FAIL  src/run.test.ts > kiosk > answers',
      'engine: a log line that mentions FAIL in passing',
    ].join('\n');
    expect(await failedTests(log)).toEqual([
      'FAIL preprocess: src/fingerprint.test.ts > fingerprintDataRoot > notices a replacement',
      'FAIL train: src/kill.test.ts',
      'FAIL src/run.test.ts > kiosk > answers',
    ]);
  });

  it('prints nothing for a log without failures', async () => {
    expect(await failedTests('submit:  ✓ src/run.test.ts (3 tests) 20ms\nsubmit:       Tests  3 passed (3)\n')).toEqual([]);
  });
});
