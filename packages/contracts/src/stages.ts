import type { PipelineConfig } from './config/schema.ts';
import { workLayout } from './layout.ts';
import { ROUNDS, splitTarget, targets, type Round } from './targets.ts';

/**
 * What each stage reads from the config, declared once as a selector. A stage's run receives
 * only its slice; the stage's Nx hash, a fold's resume key and the Reads table of its README
 * all derive from the same function, so a change to an option reruns exactly the stages that
 * read it (and what is downstream of them).
 */
export interface StageSpec<P, H = unknown> {
  /** The Nx project (the package folder under packages/). */
  project: string;
  /** The stage's CLI under the project's src/ (default main.ts): a project may hold two stages. */
  script?: string;
  description: string;
  /** Runs a model: its results depend on the engine and its settings (part of its key). */
  engine: boolean;
  params(cfg: PipelineConfig): P;
  /**
   * Options the stage reads outside its key and its outputs, to make what a later stage may take
   * in place of doing that work itself (detect's crops for the image cache, cut from the decode
   * detection needs anyway). Changing them never reruns the stage: the later stage checks each
   * thing it takes against what it would make, and makes what does not match.
   */
  handoff?(cfg: PipelineConfig): H;
  /**
   * The stage's tasks in a config's graph, each with the folder it writes and the folders it
   * reads (relative to the workspace, under the work folder). The graph's edges follow from
   * them (a task depends on the task that writes what it reads), like Kedro's nodes.
   */
  tasks(g: GraphContext): StageTask[];
  /** Targets that only group some of the stage's tasks (e.g. every fold of a round). */
  groups?(g: GraphContext): StageGroup[];
  /**
   * Its tasks also read every artifact of the run that no other task reads (the report, which
   * shows the whole run): a stage added later reaches the report, and `pnpm pipeline`, that way.
   */
  readsRun?: boolean;
}

/** What a stage's tasks are laid out from. */
export interface GraphContext {
  cfg: PipelineConfig;
  /** data.work relative to the workspace root. */
  work: string;
  /** Every fold preprocess makes: each exists as a target (see graph.ts for why). */
  allFolds: number[];
  /** The folds the pipeline trains (train.folds). */
  folds: number[];
}

export interface StageTask {
  /** The target inside the stage's project, e.g. "round1-fold-2". */
  target: string;
  /** Arguments of the stage's CLI. */
  args: string[];
  /** The folder it writes. */
  writes: string;
  /** The folders it reads, each written by another task. */
  reads: string[];
  /** Which of the stage's tasks this is, e.g. "round 1, fold 2" (its description adds it). */
  instance?: string;
  /** A target that exists whatever the config, and runs only when another task reads it (a fold not trained). */
  onDemand?: boolean;
}

export interface StageGroup {
  target: string;
  /** Targets of the same project. */
  members: string[];
  description: string;
}

const targetOf = (id: string) => splitTarget(id).target;
const faceCrop = (c: PipelineConfig) => c.preprocess.faceCrop !== null;
const featuresMode = (c: PipelineConfig) => c.train.mode === 'features';

function stage<P, H = undefined>(spec: StageSpec<P, H>): StageSpec<P, H> {
  return spec;
}

/** A copy of `obj` without `keys`, reading only the keys it keeps (see paramPaths). */
function without<T extends object, K extends keyof T>(obj: T, ...keys: K[]): Omit<T, K> {
  return Object.fromEntries(Object.keys(obj).filter((k) => !keys.includes(k as K)).map((k) => [k, obj[k as keyof T]])) as Omit<T, K>;
}

/** Which folds the pipeline trains: `train.folds`, else every fold; each must exist. */
export function trainedFolds(cfg: Pick<PipelineConfig, 'train' | 'preprocess'>): number[] {
  const k = cfg.preprocess.folds;
  const folds = cfg.train.folds ?? Array.from({ length: k }, (_, i) => i);
  const bad = folds.filter((f) => f >= k);
  if (bad.length) throw new Error(`train.folds lists fold ${bad.join(', ')} but preprocess.folds is ${k} (folds are 0..${k - 1})`);
  return [...new Set(folds)].sort((a, b) => a - b);
}

/** The rounds that train: round 2 only with pseudo-labelling. */
export function trainingRounds(cfg: Pick<PipelineConfig, 'pseudo'>): Round[] {
  return cfg.pseudo.enabled ? [1, 2] : [1];
}

/** The round whose ensemble the submission comes from. */
export function lastRound(cfg: Pick<PipelineConfig, 'pseudo'>): Round {
  return cfg.pseudo.enabled ? 2 : 1;
}

/**
 * What shapes the pooled backbone features of train.mode "features": the backbone (the model
 * without its head, feature norm, dropout and freezing; with its featureLayers), its random initialisation when it is not pretrained,
 * the input normalisation, the cache's image size and the engine. The features stage's selector
 * and a fold's check of the features it reads both use it.
 */
export function featureParams(c: Pick<PipelineConfig, 'model' | 'seed' | 'augment' | 'backend'>, size: { height: number; width: number }) {
  const backbone = without(c.model, 'head', 'ageHead', 'ageSigma', 'dropout', 'trainableStages', 'featureNorm');
  return { backbone, seed: c.model.pretrained ? null : c.seed, mean: c.augment.mean, std: c.augment.std, size, backend: c.backend };
}

export const STAGES = {
  detect: stage({
    project: 'detect',
    description: 'faces found in every photo of the data root, for the face crop of the image cache',
    engine: true,
    // The photos and the detectors only: the crop options are preprocess's, so changing the
    // margin never reruns detection. (The Nx key adds the model files' identities.)
    params: (c) => ({ root: c.data.root, detect: c.detect, backend: c.backend }),
    // ...yet it decodes every photo, so it makes the image cache's crops then (preprocess takes
    // them instead of decoding each photo again: @facemask/image-cache's crop-handoff.ts).
    handoff: (c) => {
      const { centerCrop, height, width, faceCrop } = c.preprocess;
      return faceCrop && { centerCrop, height, width, faceCrop };
    },
    // Only for a face crop: it reads the photos, not preprocess's output.
    tasks: ({ cfg, work }) => (faceCrop(cfg) ? [{ target: 'run', args: [], writes: workLayout.detect(work).dir, reads: [] }] : []),
  }),
  preprocess: stage({
    project: 'preprocess',
    description: 'labels, person-grouped folds, image cache and fingerprint of the data root',
    engine: false,
    params: (c) => ({ seed: c.seed, root: c.data.root, preprocess: c.preprocess }),
    tasks: ({ cfg, work }) => [{ target: 'run', args: [], writes: workLayout.preprocess(work).dir, reads: faceCrop(cfg) ? [workLayout.detect(work).dir] : [] }],
  }),
  train: stage({
    project: 'train',
    description: 'one fold of one round: the model, its out-of-fold and eval predictions',
    engine: true,
    params: (c) => {
      // Which folds run is the pipeline's business, not any one fold's: adding a fold must not
      // retrain the others.
      const train = without(c.train, 'folds');
      // root: to rebuild a pixel store that is not on this disk (preprocess's output came from a
      // cache) from the photos its index names relative to the root.
      return { seed: c.seed, root: c.data.root, augment: c.augment, model: c.model, loss: c.loss, optim: c.optim, scheduler: c.scheduler, train, backend: c.backend };
    },
    // Every fold of both rounds, whichever train.folds and pseudo.enabled name (see graph.ts).
    tasks: ({ cfg, work, allFolds }) =>
      ROUNDS.flatMap((round) =>
        allFolds.map((fold) => ({
          target: targetOf(targets.trainFold(round, fold)),
          args: ['--round', String(round), '--fold', String(fold)],
          writes: workLayout.fold(work, round, fold).dir,
          reads: [workLayout.preprocess(work).dir, ...(featuresMode(cfg) ? [workLayout.features(work).dir] : []), ...(round === 2 ? [workLayout.pseudoLabel(work).dir] : [])],
          instance: `round ${round}, fold ${fold}`,
          onDemand: true,
        })),
      ),
    groups: ({ allFolds }) => ROUNDS.map((round) => ({ target: targetOf(targets.trainRound(round)), members: allFolds.map((f) => targetOf(targets.trainFold(round, f))), description: `every fold of round ${round}` })),
  }),
  features: stage({
    project: 'train',
    script: 'features-main.ts',
    description: 'the frozen backbone\'s pooled features of every cached photo, computed once for the folds of train.mode "features"',
    engine: true,
    // root: as train's (a pixel store restored from the photos); not part of featureParams, which a fold compares.
    params: (c) => ({ ...featureParams(c, { height: c.preprocess.height, width: c.preprocess.width }), root: c.data.root }),
    tasks: ({ cfg, work }) => (featuresMode(cfg) ? [{ target: targetOf(targets.trainFeatures), args: [], writes: workLayout.features(work).dir, reads: [workLayout.preprocess(work).dir] }] : []),
  }),
  ensemble: stage({
    project: 'ensemble',
    description: "soft or hard vote over a round's folds, scored out of fold",
    engine: false,
    params: (c) => ({ ensemble: c.ensemble, folds: trainedFolds(c) }),
    tasks: ({ work, folds }) =>
      ROUNDS.map((round) => ({
        target: targetOf(targets.ensemble(round)),
        args: ['--round', String(round)],
        writes: workLayout.ensemble(work, round).dir,
        reads: folds.map((f) => workLayout.fold(work, round, f).dir),
        instance: `round ${round}`,
        onDemand: true,
      })),
  }),
  'pseudo-label': stage({
    project: 'pseudo-label',
    description: "confident round-1 eval predictions as round 2's extra training samples",
    engine: false,
    params: (c) => ({ pseudo: c.pseudo }),
    tasks: ({ work }) => [{ target: 'run', args: [], writes: workLayout.pseudoLabel(work).dir, reads: [workLayout.ensemble(work, 1).dir] }],
  }),
  submit: stage({
    project: 'submit',
    description: 'submission.csv in eval/info.csv order, scored when eval labels are known',
    engine: false,
    params: (c) => ({ root: c.data.root, evalLabels: c.data.evalLabels, round: lastRound(c) }),
    // submit's CLI has subcommands; the round it submits comes from its params (lastRound).
    tasks: ({ cfg, work }) => [{ target: 'run', args: ['write'], writes: workLayout.submission(work).dir, reads: [workLayout.ensemble(work, lastRound(cfg)).dir] }],
  }),
  report: stage({
    project: 'report',
    description: 'a static page of the run: learning curves, confusion matrices, the worst photos, the eval distribution',
    engine: false,
    // The page shows the whole config, so it reads all of it; `report` is the one section no
    // other stage reads, so changing a report option reruns the report alone.
    params: (c) => ({ ...c, data: { ...c.data }, report: { ...c.report } }),
    // It shows the whole run: it follows every task whose output nothing else reads (submit, and
    // any stage added after it), never the targets that exist only to be read (folds not trained,
    // round 2 without pseudo-labels).
    tasks: ({ work }) => [{ target: 'run', args: [], writes: workLayout.report(work).dir, reads: [] }],
    readsRun: true,
  }),
};

export type StageName = keyof typeof STAGES;
/** The stages a graph is laid out from: STAGES, or (in tests) a table with more. */
export type StageTable = Record<string, StageSpec<unknown>>;
export const STAGE_NAMES = Object.keys(STAGES) as StageName[];
export type StageParams<S extends StageName> = ReturnType<(typeof STAGES)[S]['params']>;
/** What a stage makes for a later one outside its key (StageSpec.handoff); undefined for a stage without. */
export type StageHandoff<S extends StageName> = (typeof STAGES)[S] extends StageSpec<unknown, infer H> ? H : never;

export function isStage(name: string): name is StageName {
  return Object.hasOwn(STAGES, name);
}

export function stageParams<S extends StageName>(cfg: PipelineConfig, name: S): StageParams<S> {
  return STAGES[name].params(cfg) as StageParams<S>;
}

export function stageHandoff<S extends StageName>(cfg: PipelineConfig, name: S): StageHandoff<S> {
  const spec: StageSpec<unknown, unknown> = STAGES[name];
  return spec.handoff?.(cfg) as StageHandoff<S>;
}

/**
 * The config paths a stage's selector reads, found by running it on a config that records every
 * property access: the source of each README's Reads table.
 */
export function paramPaths(cfg: PipelineConfig, name: string, stages: StageTable = STAGES, selector: 'params' | 'handoff' = 'params'): string[] {
  const read = new Set<string>();
  const track = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    return new Proxy(value as object, {
      get(target, key, receiver) {
        const v: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== 'string') return v;
        const p = path ? `${path}.${key}` : key;
        read.add(p);
        return track(v, p);
      },
    });
  };
  const spec = stages[name];
  if (!spec) throw new Error(`no stage ${name}`);
  spec[selector]?.(track(cfg, '') as PipelineConfig);
  // Keep the deepest paths: "train.epochs" makes "train" redundant.
  const all = [...read];
  return all.filter((p) => !all.some((q) => q !== p && q.startsWith(`${p}.`))).sort();
}

/** The markers a package README puts around its generated Reads table. */
export const paramsMarkers = (name: string) => ({ begin: `<!-- params:${name} (generated by pnpm docs:gen) -->`, end: '<!-- /params -->' });

/** A stage's Reads table: every config key its selector reads, with its default. */
export function paramsTable(name: string, defaults: PipelineConfig, stages: StageTable = STAGES): string {
  const row = (p: string, note = '') => {
    let v: unknown = defaults;
    for (const k of p.split('.')) v = (v as Record<string, unknown>)[k];
    const shown = p === 'data.root' ? 'required' : `\`${JSON.stringify(v)}\``;
    return `| \`${p}\`${note} | ${shown} |`;
  };
  const handoff = paramPaths(defaults, name, stages, 'handoff');
  const { begin, end } = paramsMarkers(name);
  return [
    begin,
    '| config key | default |',
    '|---|---|',
    ...paramPaths(defaults, name, stages).map((p) => row(p)),
    ...handoff.map((p) => row(p, ' (handoff)')),
    ...(handoff.length ? ['', '(handoff): read to make what a later stage may take instead of doing the work itself; not part of this stage\'s key, so changing it never reruns this stage.'] : []),
    end,
  ].join('\n');
}
