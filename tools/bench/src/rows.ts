import type { Measurement } from './measure.ts';

/** One printed line of `pnpm bench`: an engine's best measurement, or why there is none. */
export type Row =
  | { engine: string; arch: string; size: number; train: number; infer: number }
  | { engine: string; arch: string; size: number; error: string };

/** The best training and the best inference rate of repeated measurements (least disturbed by other load). */
export function bestOf(ms: readonly Measurement[]): { train: number; infer: number } {
  if (ms.length === 0) throw new Error('bestOf: no measurements');
  return {
    train: Math.max(...ms.map((m) => m.trainImagesPerSecond)),
    infer: Math.max(...ms.map((m) => m.inferImagesPerSecond)),
  };
}

/** `backend arch size train-img/s infer-img/s`, or the reason the engine could not run. */
export function formatRow(r: Row): string {
  const head = `${r.engine.padEnd(16)} ${r.arch.padEnd(9)} ${String(r.size).padStart(4)}`;
  if ('error' in r) return `${head}   not available: ${r.error}`;
  return `${head} ${r.train.toFixed(2).padStart(13)} ${r.infer.toFixed(2).padStart(13)}`;
}

/** One line per arch and size measured on a tfjs engine and on PyTorch: the tfjs rates as multiples of PyTorch's. */
export function ratioLines(rows: readonly Row[]): string[] {
  const lines: string[] = [];
  for (const torch of rows) {
    if (torch.engine !== 'pytorch' || 'error' in torch) continue;
    for (const r of rows) {
      if (r.engine === 'pytorch' || 'error' in r || r.arch !== torch.arch || r.size !== torch.size) continue;
      lines.push(`${r.engine} / pytorch  ${r.arch} ${r.size}: train ${(r.train / torch.train).toFixed(2)}x, infer ${(r.infer / torch.infer).toFixed(2)}x`);
    }
  }
  return lines;
}

/**
 * Environment for the child processes: TensorFlow's intra-op pool gets `threads`, its inter-op
 * pool 1 (a training step is a chain of ops; a second inter-op thread only competes for the
 * cores), and TensorFlow's start-up log is quieted. PyTorch gets `--threads`; wasm runs one
 * thread under Node whatever is set.
 */
export function threadEnv(threads: number | undefined): Record<string, string> {
  const env: Record<string, string> = { TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2' };
  if (threads !== undefined) {
    env.TF_NUM_INTRAOP_THREADS = String(threads);
    env.TF_NUM_INTEROP_THREADS = '1';
  }
  return env;
}

/** The fix for an engine that could not run, for the summary. */
export function installHint(engine: string): string {
  if (engine === 'pytorch') return 'apt-get install python3-torch python3-torchvision (comparison only)';
  if (engine.startsWith('tensorflow')) return `pnpm native:install${engine === 'tensorflow-gpu' ? ' gpu' : ''}`;
  if (engine === 'webgpu') return 'a Vulkan driver and libvulkan1; README, "GPU (WebGPU)"';
  return 'see the row above';
}

/**
 * The closing lines: every tfjs row as a multiple of PyTorch's, the engines that did not run with
 * their fix, and the machine's load average before and after (the rates are only comparable
 * under the same load).
 */
export function summaryLines(rows: readonly Row[], load: { before: number; after: number; cores: number }): string[] {
  const missing = [...new Set(rows.filter((r) => 'error' in r).map((r) => r.engine))];
  return [
    'summary',
    ...ratioLines(rows).map((l) => `  ${l}`),
    ...missing.map((e) => `  ${e}: not measured (${installHint(e)})`),
    `  load average ${load.before.toFixed(1)} before, ${load.after.toFixed(1)} after, on ${load.cores} cores: compare rows of one run`,
  ];
}
