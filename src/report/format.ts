/** Text and HTML helpers shared by the report sections (every number goes through these). */

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const DEC = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const DEC2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** 1234567 -> '1,234,567'. */
export function fmtInt(n: number): string {
  return INT.format(n);
}

/** One decimal with thousands separators: 1234.56 -> '1,234.6'. */
export function fmtDec(n: number): string {
  return DEC.format(n);
}

/** Two decimals with thousands separators. */
export function fmtDec2(n: number): string {
  return DEC2.format(n);
}

/** A ratio as a percentage with one decimal: 0.1234 -> '12.3%'. */
export function fmtPct(ratio: number): string {
  return `${DEC.format(ratio * 100)}%`;
}

/** A signed whole number: '+1,234', '-5', '0'. */
export function fmtSigned(n: number): string {
  return n > 0 ? `+${fmtInt(n)}` : n < 0 ? `−${fmtInt(-n)}` : '0';
}

/** A signed percentage: '+12.3%', '−4.0%'. */
export function fmtSignedPct(ratio: number): string {
  const p = fmtPct(Math.abs(ratio));
  return ratio > 0 ? `+${p}` : ratio < 0 ? `−${p}` : p;
}

/** n and its noun, singular or plural: plural(1, 'day') = '1 day'. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${fmtInt(n)} ${n === 1 ? noun : nouns}`;
}

export function esc(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A cell: plain text (escaped) or pre-built HTML; numbers are right-aligned. */
export type Cell = string | number | { html: string; num?: boolean };

function cell(c: Cell, tag: 'td' | 'th'): string {
  if (typeof c === 'number') return `<${tag} class="num">${fmtInt(c)}</${tag}>`;
  if (typeof c === 'string') return `<${tag}>${esc(c)}</${tag}>`;
  return `<${tag}${c.num ? ' class="num"' : ''}>${c.html}</${tag}>`;
}

export function table(head: Cell[], rows: Cell[][], opts: { caption?: string; cls?: string } = {}): string {
  const caption = opts.caption ? `<caption>${esc(opts.caption)}</caption>` : '';
  const thead = `<thead><tr>${head.map((h) => cell(h, 'th')).join('')}</tr></thead>`;
  const tbody = `<tbody>${rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('')}</tbody>`;
  return `<table${opts.cls ? ` class="${opts.cls}"` : ''}>${caption}${thead}${tbody}</table>`;
}

/** A bucket label with its colour swatch. */
export function swatch(label: string, color: string): { html: string } {
  return { html: `<span class="swatch" style="background:${esc(color)}"></span>${esc(label)}` };
}

export function num(text: string): { html: string; num: true } {
  return { html: esc(text), num: true };
}
