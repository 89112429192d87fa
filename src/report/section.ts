/**
 * The report is a list of sections, each built from the files one pipeline
 * step wrote in the run folder. A step that has not run (its files are
 * missing) contributes no section. Every step (metrics, forecast, insights)
 * owns its section builder under src/report/sections/.
 */

/** A Vega-Lite chart, rendered inline in report.html and to charts/NAME.svg|png. */
export interface ChartSpec {
  /** File-safe name: charts/<name>.svg and charts/<name>.png. */
  name: string;
  title: string;
  /** A complete Vega-Lite spec with its data inlined (values, not URLs). */
  spec: Record<string, unknown>;
  /** Optional one-sentence text alternative (aria-label in report.html, docs). */
  description?: string;
}

export interface ReportSection {
  id: string;
  title: string;
  /** Sort key: lower comes first (metrics 100, quality 200, forecast 300, insights 400+). */
  order: number;
  /**
   * HTML body (no <script>, no external URLs). Put `<div data-chart="NAME"></div>`
   * where chart NAME (from `charts`) goes.
   */
  html: string;
  charts: ChartSpec[];
}

/** Builds a section from the run folder, or returns undefined when its inputs are absent. */
export type SectionBuilder = (runDir: string) => Promise<ReportSection | undefined>;
