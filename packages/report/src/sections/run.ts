import { AGE_BANDS, encodeClass, GENDERS, MASK_STATES, shownPath, WORKSPACE_ROOT, type AgeBand, type Gender, type Mask, type PreprocessSummary } from '@facemask/contracts';
import type { DetectionSummary } from '../detection.ts';
import { esc, fmt, missingNote, para, table } from '../html.ts';
import type { Loaded } from '../loaded.ts';
import type { ReportParams } from '../params.ts';
import type { TaskRun } from '../run-records.ts';
import { htmlBlock, type Section } from '../section.ts';

/** The config as pretty JSON inside a closed <details>. */
export function configHtml(config: ReportParams): string {
  return `<details class="config"><summary>config <code>${esc(config.name)}</code> (JSON)</summary><pre>${esc(JSON.stringify(shownConfig(config), null, 2))}</pre></details>`;
}

/** The config with its paths as shownPath shows them: the page is restored as-is on other machines. */
export function shownConfig(config: ReportParams): ReportParams {
  const shown = (p: string | null) => (p === null || p === 'builtin' || p === 'face-api' ? p : shownPath(p, WORKSPACE_ROOT));
  return {
    ...config,
    data: { ...config.data, root: shown(config.data.root)!, work: shown(config.data.work)!, evalLabels: shown(config.data.evalLabels) },
    preprocess: { ...config.preprocess, corrections: shown(config.preprocess.corrections) },
    model: { ...config.model, pretrained: shown(config.model.pretrained) },
  };
}

/** One line of the recipe's main choices, so the page says what was trained without opening the JSON. */
export function recipeLine(c: ReportParams): string {
  const model = `${c.model.arch}${c.model.widthMultiplier !== 1 ? ` x${c.model.widthMultiplier}` : ''} (${c.model.head} head, ${c.model.pretrained ?? 'random init'})`;
  const size = `${c.preprocess.width}x${c.preprocess.height}${c.preprocess.centerCrop ? ` after CenterCrop(${c.preprocess.centerCrop})` : ''}`;
  const optim = `${c.optim.name} lr ${c.optim.lr}, ${c.scheduler.name} schedule`;
  const pseudo = c.pseudo.enabled ? `pseudo-labels at ${c.pseudo.threshold}` : 'no pseudo-labels';
  return `${model}, ${size}, ${c.train.mode}, ${c.train.epochs} epochs of batch ${c.train.batchSize}, ${optim}, ${c.loss.name}; ${c.ensemble.method} voting${c.augment.tta ? ' with flip TTA' : ''}; ${pseudo}.`;
}

/** Class counts as a mask-state x (gender, age band) grid with totals: the 18 classes at a glance. */
export function classGridHtml(counts: readonly number[]): string {
  const cols: [Gender, AgeBand][] = [];
  for (const g of [0, 1] as const) for (const a of [0, 1, 2] as const) cols.push([g, a]);
  const head = ['mask \\ gender, age', ...cols.map(([g, a]) => `${esc(GENDERS[g])} ${esc(AGE_BANDS[a])}`), 'total'];
  const rows = ([0, 1, 2] as Mask[]).map((m) => {
    const cells = cols.map(([g, a]) => counts[encodeClass(m, g, a)]!);
    return [esc(MASK_STATES[m]), ...cells.map((v) => fmt.int(v)), fmt.int(cells.reduce((s, v) => s + v, 0))];
  });
  const colTotals = cols.map(([g, a]) => ([0, 1, 2] as Mask[]).reduce((s: number, m) => s + counts[encodeClass(m, g, a)]!, 0));
  rows.push(['total', ...colTotals.map((v) => fmt.int(v)), fmt.int(counts.reduce((s, v) => s + v, 0))]);
  return table(head, rows, { className: 'grid num' });
}

const SKIPPED_SHOWN = 30;

/** People, photos, folds, class counts and what was skipped, from the preprocess summary. */
export function dataHtml(summary: Loaded<PreprocessSummary>): string {
  if (!summary.ok) return missingNote(`Data summary not available: ${summary.problem}`);
  const s = summary.value;
  const t = s.totals;
  const facts: [string, string][] = [
    ['people', `${fmt.int(t.people)} in the samples (${fmt.int(t.peopleFound)} found)`],
    ['photos', `${fmt.int(t.samples)} training photos (${fmt.int(t.photosFound)} found), ${fmt.int(t.evalImages)} eval photos`],
    ['folds', `${s.folds} (seed ${s.seed}); largest class-share deviation of a fold ${fmt.pct(s.balance.image18WithinFold)}`],
    ['skipped files', s.skipped.length === 0 ? 'none' : fmt.int(s.skipped.length)],
    ['dropped people', s.dropped.people.length === 0 ? 'none' : `${s.dropped.people.length} (ages ${s.dropped.ageRanges.map(([a, b]) => `${a}-${b}`).join(', ')})`],
    ['label corrections', s.corrections.source === null ? 'none' : `${s.corrections.applied.length} applied, ${s.corrections.ignored.length} ignored (${s.corrections.samplesChanged} photos changed)`],
    ['image cache', `${s.cache.width}x${s.cache.height}${s.cache.centerCrop ? `, CenterCrop(${s.cache.centerCrop})` : ''}`],
  ];
  const parts = [table(['', ''], facts.map(([k, v]) => [esc(k), esc(v)]), { className: 'facts' })];
  parts.push('<h4>Photos per class</h4>', classGridHtml(s.classCounts));
  parts.push(
    '<h4>Folds</h4>',
    table(
      ['fold', 'people', 'photos'],
      s.foldPeople.map((p, k) => [String(k), fmt.int(p), fmt.int(s.foldSamples[k] ?? 0)]),
      { className: 'num' },
    ),
  );
  if (s.skipped.length > 0) {
    const shown = s.skipped.slice(0, SKIPPED_SHOWN).map((x) => `<li><code>${esc(x.path)}</code>: ${esc(x.reason)}</li>`);
    const more = s.skipped.length > SKIPPED_SHOWN ? `<li>… and ${s.skipped.length - SKIPPED_SHOWN} more (preprocess/summary.json)</li>` : '';
    parts.push(`<details class="list"><summary>${s.skipped.length} skipped files</summary><ul>${shown.join('')}${more}</ul></details>`);
  }
  return parts.join('\n');
}

/** Face-crop fallbacks of the detection step; nothing when that step did not run. */
export function detectionHtml(detection: DetectionSummary | null): string {
  if (detection === null) return '';
  const d = detection;
  const share = d.photos === 0 ? 0 : d.fallbacks / d.photos;
  const lines = [
    '<h4>Face crops</h4>',
    para(`${d.detector}: ${fmt.int(d.detected)} of ${fmt.int(d.photos)} photos cropped around a detected face; ${fmt.int(d.fallbacks)} (${fmt.pct(share)}) fell back to the centre crop.`),
  ];
  if (d.examples.length > 0) {
    lines.push(`<details class="list"><summary>fallback examples</summary><ul>${d.examples.map((e) => `<li><code>${esc(e.id)}</code>: ${esc(e.reason)}</li>`).join('')}</ul></details>`);
  }
  return lines.join('\n');
}

/** "2026-01-02T10:01:00.000Z" -> "2026-01-02 10:01:00". */
const utc = (iso: string) => iso.slice(0, 19).replace('T', ' ');

/**
 * The engine lines and the time of every task, from their run records. The table names each
 * task's engine by its short name ("wasm"), numbered when the tasks ran on more than one engine
 * line; the full lines stand above it.
 */
export function engineHtml(runs: readonly TaskRun[]): string {
  const parts = ['<h4>Engine and time per stage</h4>'];
  const records = runs.flatMap((r) => (r.record?.ok ? [r.record.value] : []));
  const engines = [...new Set(records.map((r) => r.backend).filter((b): b is string => b !== null))];
  if (engines.length === 0) parts.push(para('engine: not recorded (no task that ran tfjs wrote a run record)'));
  else if (engines.length === 1) parts.push(para(`engine: ${engines[0]}`));
  else parts.push(`<ul>${engines.map((e, i) => `<li>${esc(`engine [${i + 1}]: ${e}`)}</li>`).join('')}</ul>`);
  const engineName = (line: string | null) => {
    if (line === null) return '-';
    const name = line.split(' (')[0]!;
    return engines.length > 1 ? `${name} [${engines.indexOf(line) + 1}]` : name;
  };
  const rows = runs.map((r) => {
    const target = `<code>${esc(r.target)}</code>`;
    if (r.record === null) return [target, 'not recorded', '', ''];
    if (!r.record.ok) return [target, '<span class="missing">unreadable run.json</span>', '', ''];
    const v = r.record.value;
    return [target, esc(fmt.seconds(v.seconds)), esc(utc(v.startedAt)), esc(engineName(v.backend))];
  });
  const total = records.reduce((s, r) => s + r.seconds, 0);
  const unrecorded = runs.length - records.length;
  rows.push(['total', esc(fmt.seconds(total)), unrecorded === 0 ? '' : esc(`${unrecorded} of ${runs.length} tasks not recorded`), '']);
  parts.push(table(['task', 'time', 'started (UTC)', 'engine'], rows, { className: 'stages' }));
  parts.push(para('Each task writes run.json beside its artifacts; a task Nx served from its cache shows the time it took when it ran. Folds trained in parallel overlap, so the total is the sum of the task times, not the wall-clock time.', 'hint'));
  return parts.join('\n');
}

export interface RunSectionInput {
  config: ReportParams;
  summary: Loaded<PreprocessSummary>;
  taskRuns: readonly TaskRun[];
  detection: DetectionSummary | null;
}

export function runSection(input: RunSectionInput): Section {
  return {
    id: 'run',
    title: 'The run',
    blocks: [
      htmlBlock(para(recipeLine(input.config), 'recipe')),
      htmlBlock(configHtml(input.config)),
      htmlBlock(`<h3>Data</h3>\n${dataHtml(input.summary)}\n${detectionHtml(input.detection)}`),
      htmlBlock(engineHtml(input.taskRuns)),
    ],
  };
}
