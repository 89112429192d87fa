import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The folder of an installed package (resolved like an import, so hoisting does not matter). */
export function packageDir(name: string): string {
  try {
    // Packages without an exports map (dejavu-fonts-ttf has no entry point at all).
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    // ESM packages whose exports map hides package.json: walk up from the entry point.
  }
  let dir = dirname(require.resolve(name));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === name)
      return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of package ${name}`);
    dir = up;
  }
}

/** The browser builds inlined into report.html and served by the dashboard, in load order. */
export const BROWSER_SCRIPTS = [
  { name: 'vega.min.js', pkg: 'vega', file: 'build/vega.min.js' },
  { name: 'vega-lite.min.js', pkg: 'vega-lite', file: 'build/vega-lite.min.js' },
  { name: 'vega-embed.min.js', pkg: 'vega-embed', file: 'build/vega-embed.min.js' },
] as const;

export function browserScriptPath(s: (typeof BROWSER_SCRIPTS)[number]): string {
  return join(packageDir(s.pkg), s.file);
}

/** The TrueType files of the chart font (regular and bold: titles are bold). */
export function fontFiles(): string[] {
  const dir = join(packageDir('dejavu-fonts-ttf'), 'ttf');
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(dir, f));
}
