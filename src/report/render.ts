/**
 * Headless rendering of a Vega-Lite spec: SVG through Vega's scenegraph
 * (renderer 'none'), PNG through resvg with the DejaVu font loaded from the
 * dejavu-fonts-ttf package and no system font, so text can never silently vanish.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY } from './buckets.js';
import { fontFiles } from './vendor.js';

/** A Vega logger that keeps warnings and errors instead of printing them. */
function collectingLogger(messages: string[]) {
  let level = vega.Warn;
  const push = (kind: string, args: unknown[]) => messages.push(`${kind}: ${args.map(String).join(' ')}`);
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args: unknown[]) {
      push('error', args);
      return logger;
    },
    warn(...args: unknown[]) {
      if (level >= vega.Warn) push('warning', args);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/**
 * Drops what a static image never shows: the hover layers' invisible
 * Voronoi cells and fully transparent marks (tooltips only matter in a browser).
 * The rendered pixels are unchanged; the file shrinks several-fold.
 */
export function compactSvg(svg: string): string {
  return svg
    .replace(/<g class="mark-path role-mark [^"]*_voronoi"[^>]*>(?:<path[^>]*\/>)*<\/g>/g, '')
    .replace(/<(?:line|path|rect)\b[^>]*\sopacity="0"[^>]*\/>/g, '');
}

export interface SvgResult {
  svg: string;
  /** Vega-Lite and Vega warnings met while compiling and rendering. */
  warnings: string[];
}

/** Compiles and renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: Record<string, unknown>): Promise<SvgResult> {
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  // biome-ignore lint/suspicious/noExplicitAny: vega's LoggerInterface typing is narrower than its runtime contract.
  const compiled = compile(spec as unknown as TopLevelSpec, { logger: logger as any }).spec;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: logger as any });
  try {
    const svg = compactSvg(await view.toSVG());
    return { svg, warnings };
  } finally {
    view.finalize();
  }
}

let fonts: string[] | undefined;

/** Rasterises an SVG at `scale` (2 = crisp on high-density screens) with only the bundled font. */
export function svgToPng(svg: string, scale = 2): Buffer {
  fonts ??= fontFiles();
  const r = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'zoom', value: scale },
    font: { fontFiles: fonts, defaultFontFamily: FONT_FAMILY, loadSystemFonts: false },
  });
  return r.render().asPng();
}
