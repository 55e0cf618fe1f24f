import type { StageParams } from '@facemask/contracts';

/** What the report stage reads from the config: all of it (the page shows it), `report` its own options. */
export type ReportParams = StageParams<'report'>;
