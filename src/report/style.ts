import { FONT_STACK } from './buckets.js';

/** The stylesheet of report.html and the dashboard (inlined in the report, served by the dashboard). */
export const PAGE_CSS = `
:root { --ink: #1a1a1a; --muted: #595959; --line: #e2e2e2; --bg: #f7f7f5; --card: #ffffff; --accent: #0072B2; }
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0; color: var(--ink); font: 15px/1.55 ${FONT_STACK}; }
header.page { background: #ffffff; border-bottom: 1px solid var(--line); padding: 20px 32px 14px; }
header.page h1 { margin: 0 0 4px; font-size: 24px; }
header.page .meta { color: var(--muted); font-size: 13px; margin: 0; }
nav.toc { padding: 8px 32px; background: #ffffff; border-bottom: 1px solid var(--line); font-size: 14px; position: sticky; top: 0; z-index: 5; }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 18px; white-space: nowrap; }
nav.toc a:hover { text-decoration: underline; }
main { max-width: 1180px; margin: 0 auto; padding: 8px 32px 40px; }
section.report-section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 24px 20px; margin: 20px 0; }
section.report-section h2 { font-size: 20px; margin: 12px 0 8px; }
section.report-section h3 { font-size: 16px; margin: 20px 0 6px; }
p { margin: 8px 0; max-width: 80ch; }
p.note { color: var(--muted); font-size: 13.5px; }
code { font-size: 13px; background: #f0f0ee; padding: 1px 4px; border-radius: 3px; }
.chart { margin: 14px 0 18px; overflow-x: auto; min-height: 60px; }
.chart .vega-embed { max-width: 100%; }
.chart-error { color: #b00020; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; min-width: 200px; background: #fcfcfb; }
.card-label { font-size: 13px; color: var(--muted); }
.card-value { font-size: 28px; font-weight: bold; line-height: 1.2; }
.card-sub { font-size: 12.5px; color: var(--muted); }
table { border-collapse: collapse; margin: 12px 0 16px; font-size: 14px; }
caption { text-align: left; font-size: 13px; color: var(--muted); padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 12px 5px 0; text-align: left; vertical-align: top; }
th { font-weight: bold; border-bottom: 2px solid #c8c8c8; }
.num { text-align: right; font-variant-numeric: tabular-nums; padding-left: 16px; }
.sub { font-weight: normal; color: var(--muted); font-size: 12px; }
.na { color: #9a9a9a; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin: 0 6px 0 2px; vertical-align: -1px; }
ul.checks { list-style: none; padding-left: 0; }
ul.checks li { margin: 4px 0; }
ul.checks .mark { display: inline-block; width: 1.4em; font-weight: bold; }
ul.checks li.ok .mark { color: #1a7f37; }
ul.checks li.fail .mark { color: #b00020; }
footer.page { color: var(--muted); font-size: 12.5px; text-align: center; padding: 16px; }
.controls { display: flex; flex-wrap: wrap; gap: 18px; align-items: center; margin: 10px 0; }
.controls fieldset { border: 1px solid var(--line); border-radius: 6px; padding: 4px 12px; margin: 0; }
.controls legend { font-size: 12px; color: var(--muted); padding: 0 4px; }
.controls label { margin-right: 12px; cursor: pointer; }
.controls button { font: inherit; font-size: 14px; padding: 5px 12px; border: 1px solid #b5b5b5; border-radius: 4px; background: #ffffff; cursor: pointer; }
.controls button:hover { background: #f0f0f0; }
.status { color: var(--muted); font-size: 13px; min-height: 2.6em; }
#vg-tooltip-element { font-family: ${FONT_STACK}; }
`;
