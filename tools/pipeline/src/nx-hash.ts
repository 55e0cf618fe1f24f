/**
 * Nx runtime input: prints what a stage's cache key must cover for the current config
 * ($FACEMASK_CONFIG). Used as `{ "runtime": "... nx-hash.ts <stage>" }` by the Nx plugin.
 */
import { fingerprintCacheFile, fingerprintDataRoot } from '@facemask/preprocess';
import { hashJson } from '@facemask/core';
import { isStage, stageView } from './stages.ts';
import { loadPipelineConfig } from './workspace.ts';

const stage = process.argv[2] ?? '';
if (!isStage(stage)) {
  console.error(`usage: nx-hash.ts <preprocess|train|ensemble|pseudo-label|submit>, got "${stage}"`);
  process.exit(2);
}
const cfg = await loadPipelineConfig();
const view: Record<string, unknown> = stageView(cfg, stage);
// The photos and CSVs are outside what Nx hashes (data/ is gitignored, or the root is elsewhere).
if (stage === 'preprocess') view.dataFingerprint = await fingerprintDataRoot(cfg.data.root, { cacheFile: fingerprintCacheFile(cfg.data.work) });
console.log(hashJson(view));
