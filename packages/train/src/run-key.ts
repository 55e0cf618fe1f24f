import { hashJson, isNativeEngine, nativeThreads, type Fingerprint, type PseudoLabels, type StageParams } from '@facemask/contracts';

/**
 * What a fold's "last" checkpoint must have been trained from to be resumed: the train stage's
 * config slice (which folds the pipeline runs is not in it), the fold, the round, the data and
 * preprocessing it read, round 2's pseudo-labels, and the engine (engines round differently) with,
 * on TensorFlow's C library, its thread pools: epochs 1-8 on 2 threads and 9-20 on 4 match
 * neither run. Under Nx, also the task's hash, which covers the code that trains: after an edit
 * to a loss, Nx reruns the fold, and the fold must then train anew rather than resume from the
 * finished checkpoint of the old code. (A task killed and rerun keeps its hash and resumes.)
 */
export function foldRunKey(
  params: StageParams<'train'>,
  at: { round: number; fold: number; fingerprint: Fingerprint; pseudo: PseudoLabels | null; engine: string },
  env: Record<string, string | undefined> = process.env,
): string {
  // Not the data root's path (params.root): a checkpoint restored on a machine whose root lies
  // elsewhere resumes there (the data's content is in the fingerprint below).
  const { root: _root, ...portable } = params;
  return hashJson({
    params: portable,
    round: at.round,
    fold: at.fold,
    data: at.fingerprint.dataset,
    options: at.fingerprint.optionsHash,
    pseudo: at.pseudo?.samples ?? null,
    engine: at.engine,
    ...(isNativeEngine(at.engine) ? { threads: nativeThreads(env) } : {}),
    ...(env.NX_TASK_HASH ? { task: env.NX_TASK_HASH } : {}),
  });
}
