import { readFileSync } from 'node:fs';
import { embedCharts, reportBoot } from './client.js';
import { esc } from './format.js';
import type { ChartSpec, ReportSection } from './section.js';
import { PAGE_CSS } from './style.js';
import { BROWSER_SCRIPTS, browserScriptPath } from './vendor.js';

/**
 * report.html may not load anything: inline scripts and styles only, images
 * and downloads from data:/blob: URLs. Vega compiles its expressions with
 * Function(), hence 'unsafe-eval'.
 */
export const REPORT_CSP =
  "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'";

/** JSON safe inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

/** Script text safe inside a <script> element (no early end tag, no HTML comment opener). */
export function inlineScript(code: string): string {
  return `<script>${code.replace(/<\/(script)/gi, '<\\/$1').replaceAll('<!--', '<\\!--')}</script>`;
}

/** The chart placeholder with its accessible label; the browser fills it. */
export function chartSlot(chart: ChartSpec): string {
  const label = chart.description ? `${chart.title}. ${chart.description}` : chart.title;
  return `<div class="chart" data-chart="${esc(chart.name)}" role="img" aria-label="${esc(label)}"></div>`;
}

/** A section's HTML with its chart placeholders filled in; charts it did not place go at its end. */
export function sectionHtml(s: ReportSection): string {
  const placed = new Set<string>();
  const byName = new Map(s.charts.map((c) => [c.name, c]));
  let body = s.html.replace(/<div data-chart="([^"]+)"\s*><\/div>/g, (whole, name: string) => {
    const c = byName.get(name);
    if (!c) return whole;
    placed.add(name);
    return chartSlot(c);
  });
  for (const c of s.charts) if (!placed.has(c.name)) body += `\n${chartSlot(c)}`;
  return `<section class="report-section" id="${esc(s.id)}">\n<h2>${esc(s.title)}</h2>\n${body}\n</section>`;
}

export function tocHtml(sections: ReportSection[]): string {
  return `<nav class="toc" aria-label="Sections">${sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('')}</nav>`;
}

export interface PageMeta {
  title: string;
  /** One line under the title (plain text). */
  meta: string;
  footer: string;
}

/** report.html: one self-contained file, vega, vega-lite and vega-embed inlined. */
export function reportHtml(sections: ReportSection[], page: PageMeta): string {
  const specs: Record<string, unknown> = {};
  for (const s of sections) for (const c of s.charts) specs[c.name] = c.spec;
  const libs = BROWSER_SCRIPTS.map((s) => inlineScript(readFileSync(browserScriptPath(s), 'utf8'))).join(
    '\n',
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="fleetpulse">
<title>${esc(page.title)}</title>
<link rel="icon" href="data:,">
<style>${PAGE_CSS}</style>
</head>
<body>
<header class="page"><h1>${esc(page.title)}</h1><p class="meta">${esc(page.meta)}</p></header>
${tocHtml(sections)}
<main>
${sections.map(sectionHtml).join('\n')}
</main>
<footer class="page">${esc(page.footer)}</footer>
<script type="application/json" id="fp-specs">${scriptJson(specs)}</script>
${libs}
${inlineScript(`(${reportBoot.toString()})(${embedCharts.toString()});`)}
</body>
</html>
`;
}
