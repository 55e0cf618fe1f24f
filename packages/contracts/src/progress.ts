import cliProgress from 'cli-progress';

/**
 * A progress bar with rate and ETA for long work. On a terminal it redraws in place; elsewhere
 * (CI logs, Nx's captured output) it prints a line every `logEverySeconds` so logs stay short.
 */
export interface Progress {
  tick(n?: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  unit?: string;
  stream?: NodeJS.WriteStream;
  logEverySeconds?: number;
  /** Silence it (tests). */
  quiet?: boolean;
}

export function createProgress(opts: ProgressOptions): Progress {
  const unit = opts.unit ?? 'it';
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet || process.env.FACEMASK_QUIET === '1') return { tick() {}, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${opts.label} [{bar}] {percentage}% {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted} {info}`,
        stream,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const start = Date.now();
    let done = 0;
    bar.start(opts.total, 0, { rate: '0.0', info: '' });
    return {
      tick(n = 1, payload) {
        done += n;
        const rate = done / Math.max(1e-3, (Date.now() - start) / 1000);
        bar.update(done, { rate: rate.toFixed(1), info: formatPayload(payload) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const every = (opts.logEverySeconds ?? 10) * 1000;
  const start = Date.now();
  let last = 0;
  let done = 0;
  const line = (payload?: Record<string, string | number>) => {
    const secs = (Date.now() - start) / 1000;
    const rate = done / Math.max(1e-3, secs);
    const eta = rate > 0 ? (opts.total - done) / rate : Infinity;
    const pct = opts.total > 0 ? ((100 * done) / opts.total).toFixed(0) : '100';
    stream.write(
      `${opts.label} ${pct}% ${done}/${opts.total} ${unit} | ${rate.toFixed(1)} ${unit}/s | ETA ${formatSeconds(eta)} ${formatPayload(payload)}\n`,
    );
  };
  return {
    tick(n = 1, payload) {
      done += n;
      const now = Date.now();
      if (now - last >= every || done >= opts.total) {
        last = now;
        line(payload);
      }
    },
    stop() {},
  };
}

function formatPayload(p?: Record<string, string | number>): string {
  if (!p) return '';
  return Object.entries(p)
    .map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : v}`)
    .join(' ');
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}
