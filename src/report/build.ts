import { readCounts, readQuality, requireRunDir } from './run-folder.js';
import type { ReportSection, SectionBuilder } from './section.js';
import * as registry from './sections/index.js';

/** Every builder of the registry (a non-builder export there is a type error here). */
const BUILDERS: Record<string, SectionBuilder> = registry;

const ID = /^[a-z][a-z0-9-]*$/;
const CHART_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const FORBIDDEN_HTML: [RegExp, string][] = [
  [/<script\b/i, 'a <script> element'],
  [/<(?:iframe|object|embed|link|base|meta)\b/i, 'an element that loads or redirects'],
  [/<[^>]*\son[a-z]+\s*=/i, 'an inline event handler'],
  [
    /\b(?:src|href|srcset|action|poster|formaction)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|\/\/)/i,
    'an external URL',
  ],
  [/url\(\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|\/\/)/i, 'an external URL in a style'],
];

/** A chart spec must carry its data: a `url` in any data block would be a network request. */
function findDataUrl(node: unknown, path: string): string | undefined {
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) {
      const hit = findDataUrl(v, `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'data' && v && typeof v === 'object' && 'url' in v) return `${path}.data.url`;
      if (k === 'values' || k === 'datasets') continue;
      const hit = findDataUrl(v, `${path}.${k}`);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Checks the section contract of section.ts; a violation is a bug in a section builder. */
export function validateSections(sections: ReportSection[]): void {
  const ids = new Set<string>();
  const charts = new Set<string>();
  for (const s of sections) {
    const where = `report section '${s.id}'`;
    if (!ID.test(s.id)) throw new Error(`${where}: the id must match ${ID}`);
    if (ids.has(s.id)) throw new Error(`${where}: duplicate section id`);
    ids.add(s.id);
    for (const [re, what] of FORBIDDEN_HTML) {
      if (re.test(s.html)) throw new Error(`${where}: its HTML contains ${what}`);
    }
    for (const c of s.charts) {
      if (!CHART_NAME.test(c.name))
        throw new Error(`${where}: chart name '${c.name}' must match ${CHART_NAME}`);
      if (charts.has(c.name)) throw new Error(`${where}: duplicate chart name '${c.name}'`);
      charts.add(c.name);
      const url = findDataUrl(c.spec, c.name);
      if (url)
        throw new Error(`${where}: chart '${c.name}' loads data from a URL (${url}); inline the values`);
    }
    for (const m of s.html.matchAll(/data-chart="([^"]*)"/g)) {
      if (!s.charts.some((c) => c.name === m[1]))
        throw new Error(`${where}: placeholder for unknown chart '${m[1]}'`);
    }
  }
}

/**
 * Reads the run folder and builds every registered section, in `order`.
 * quality.json and the two count files are required (exit 3 naming the file
 * when one is missing); every other input is optional and its section says so.
 */
export async function buildSections(runDir: string): Promise<ReportSection[]> {
  requireRunDir(runDir);
  readQuality(runDir);
  readCounts(runDir, 'daily');
  readCounts(runDir, 'rolling28');
  const built: ReportSection[] = [];
  for (const builder of Object.values(BUILDERS)) {
    const s = await builder(runDir);
    if (s) built.push(s);
  }
  built.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  validateSections(built);
  return built;
}
