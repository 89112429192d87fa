/**
 * The report's section registry: every SectionBuilder exported here becomes a
 * section of report.html and the dashboard, placed by its `order`
 * (headline 100, charts 110, quality 200, truth 250, forecast 300, insights 400+,
 * methodology 900). Adding a section is one line: export its builder here.
 * Only SectionBuilders may be exported from this file (the type checker enforces it).
 */
export { forecastSection } from './forecast.js';
export { headlineSection } from './headline.js';
export {
  insightsCohortsSection,
  insightsDataSection,
  insightsLeadsSection,
  insightsProjectionSection,
  insightsRevenueSection,
} from './insights.js';
export { methodologySection } from './methodology.js';
export { onlineSection } from './online.js';
export { qualitySection } from './quality.js';
export { truthSection } from './truth.js';
