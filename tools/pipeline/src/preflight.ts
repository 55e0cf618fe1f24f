import { dataLayout, readCsv, TRAIN_CSV_COLUMNS, type PipelineConfig } from '@facemask/contracts';

/**
 * What the data root can refuse without a photo being read, checked before Nx starts: with a
 * face crop, detect reads every photo before preprocess would find out. Problems with train.csv
 * itself are left to preprocess, which reports them with their fix.
 */
export async function preflight(config: PipelineConfig): Promise<void> {
  const csv = dataLayout.trainCsv(config.data.root);
  const rows = await readCsv(csv, TRAIN_CSV_COLUMNS).catch(() => null);
  if (!rows) return;
  const { folds, dropAgeRanges } = config.preprocess;
  const ids = new Set(rows.filter((r) => !dropAgeRanges.some(([lo, hi]) => Number(r.age) >= lo && Number(r.age) <= hi)).map((r) => r.id));
  if (ids.size < folds) {
    throw new Error(`${csv} lists ${ids.size} people (after preprocess.dropAgeRanges) for preprocess.folds ${folds}: lower preprocess.folds or add people`);
  }
}
