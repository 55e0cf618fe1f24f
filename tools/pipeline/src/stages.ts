import { isAbsolute, relative, resolve } from 'node:path';
import type { PipelineConfig } from '@facemask/core';

/**
 * Which config sections each pipeline stage reads. The Nx targets hash exactly these (plus their
 * upstream artifacts), so a change reruns the stage that reads it and what is downstream of it.
 */
export const STAGE_SECTIONS = {
  preprocess: ['seed', 'data.root', 'preprocess'],
  train: ['seed', 'augment', 'model', 'loss', 'optim', 'scheduler', 'train', 'backend'],
  ensemble: ['ensemble'],
  'pseudo-label': ['pseudo'],
  submit: [],
} as const satisfies Record<string, readonly string[]>;

export type Stage = keyof typeof STAGE_SECTIONS;

export function isStage(s: string): s is Stage {
  return s in STAGE_SECTIONS;
}

/** The config values a stage reads, as a stable object (keys sorted by JSON.stringify order). */
export function stageView(cfg: PipelineConfig, stage: Stage): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const path of STAGE_SECTIONS[stage]) {
    let node: unknown = cfg;
    for (const key of path.split('.')) node = (node as Record<string, unknown>)[key];
    view[path] = node;
  }
  return view;
}

/** What the Nx plugin needs to lay out the task graph for a config. */
export interface GraphSpec {
  /** Work folder relative to the workspace root (Nx outputs must live inside it). */
  work: string;
  folds: number[];
  pseudo: boolean;
}

export function graphSpec(cfg: PipelineConfig, workspaceRoot: string): GraphSpec {
  const work = relative(workspaceRoot, isAbsolute(cfg.data.work) ? cfg.data.work : resolve(workspaceRoot, cfg.data.work));
  if (work.startsWith('..') || isAbsolute(work)) {
    throw new Error(`data.work (${cfg.data.work}) must be inside the workspace (${workspaceRoot}): Nx caches only outputs inside it`);
  }
  const k = cfg.preprocess.folds;
  const folds = cfg.train.folds ?? Array.from({ length: k }, (_, i) => i);
  const bad = folds.filter((f) => f >= k);
  if (bad.length) throw new Error(`train.folds lists fold ${bad.join(', ')} but preprocess.folds is ${k} (folds are 0..${k - 1})`);
  return { work: work.split('\\').join('/'), folds: [...new Set(folds)].sort((a, b) => a - b), pseudo: cfg.pseudo.enabled };
}
