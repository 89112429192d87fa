/** The report step's public API (the `run` and `demo` commands call writeReport). */
export type { ChartSpec, ReportSection, SectionBuilder } from './section.js';
export { CHARTS_DIR, REPORT_FILE, type WriteReportOptions, writeReport } from './write-report.js';
