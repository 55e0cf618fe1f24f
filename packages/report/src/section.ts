import type { TopLevelSpec } from 'vega-lite';

/** A piece of a section: escaped HTML, or a chart rendered to inline SVG when the page is built. */
export type Block =
  | { kind: 'html'; html: string }
  | {
      kind: 'chart';
      /** Unique on the page; the figure's data-chart attribute. */
      id: string;
      spec: TopLevelSpec;
      caption?: string;
    }
  /** Blocks laid out side by side (wrapping on a narrow screen). */
  | { kind: 'row'; blocks: Block[] };

export interface Section {
  /** The anchor, e.g. "curves". */
  id: string;
  title: string;
  blocks: Block[];
}

export const htmlBlock = (html: string): Block => ({ kind: 'html', html });
export const rowBlock = (blocks: Block[]): Block => ({ kind: 'row', blocks });
export const chartBlock = (id: string, spec: TopLevelSpec, caption?: string): Block => ({ kind: 'chart', id, spec, ...(caption ? { caption } : {}) });

/** The page's sections in the order of issue 11. */
export const SECTION_IDS = ['run', 'curves', 'oof', 'photos', 'eval'] as const;
