import { BUCKETS } from '../buckets.js';
import {
  type Cell,
  esc,
  fmtInt,
  fmtPct,
  fmtSigned,
  fmtSignedPct,
  num,
  plural,
  swatch,
  table,
} from '../format.js';
import { type CountKind, type CountRow, readCounts } from '../run-folder.js';
import type { ReportSection, SectionBuilder } from '../section.js';
import { type Growth, growth, historyDays, SERIES } from '../stats.js';

/** The comparison horizons of the headline tables, in days. */
export const GROWTH_HORIZONS = [30, 90, 365] as const;

function growthCell(g: Growth, key: (typeof SERIES)[number]['key']): Cell {
  const c = g.change[key];
  if (!g.base || !c) return { html: '<span class="na">—</span>', num: true };
  if (c.rel === undefined) return num(c.abs === 0 ? '0 (from 0)' : `${fmtSigned(c.abs)} (from 0)`);
  return num(`${fmtSignedPct(c.rel)} (${fmtSigned(c.abs)})`);
}

function listDays(gs: Growth[]): string {
  return gs
    .map((g) => `${g.days} days`)
    .join(', ')
    .replace(/, ([^,]*)$/, ' and $1');
}

/** Plain words for the horizons that history is too short for. */
export function shortHistoryNote(rows: CountRow[], growths: Growth[]): string {
  const n = historyDays(rows);
  const latest = rows.at(-1)?.date ?? '';
  const short = growths.filter((g) => !g.base && g.days >= n);
  const gap = growths.filter((g) => !g.base && g.days < n);
  const parts: string[] = [];
  if (short.length > 0) {
    parts.push(
      `No growth over ${listDays(short)}: the history is only ${plural(n, 'day')} long (${rows[0]?.date} to ${latest}), and a change over N days needs the value N days before the latest day.`,
    );
  }
  if (gap.length > 0) {
    parts.push(`No growth over ${listDays(gap)}: the file has no row that many days before ${latest}.`);
  }
  return parts.map((p) => `<p class="note">${esc(p)}</p>`).join('\n');
}

export function headlineTable(rows: CountRow[], kind: CountKind): { html: string; growths: Growth[] } {
  const latest = rows.at(-1) as CountRow;
  const growths = GROWTH_HORIZONS.map((d) => growth(rows, d));
  const head: Cell[] = [
    'Fleet size',
    {
      html:
        kind === 'daily' ? `Online on ${esc(latest.date)}` : `Online in the 28 days to ${esc(latest.date)}`,
      num: true,
    },
    { html: 'Share', num: true },
    ...growths.map(
      (g): Cell => ({
        html: `vs ${g.days} days earlier${g.base ? `<br><span class="sub">${esc(g.base.date)}</span>` : ''}`,
        num: true,
      }),
    ),
  ];
  const body: Cell[][] = SERIES.map((s) => {
    const b = BUCKETS.find((x) => x.key === s.key);
    const v = latest[s.key];
    return [
      b ? swatch(b.label, b.color) : { html: '<b>Total</b>' },
      v,
      num(latest.total > 0 ? fmtPct(v / latest.total) : '—'),
      ...growths.map((g) => growthCell(g, s.key)),
    ];
  });
  const caption =
    kind === 'daily'
      ? 'Unique devices online on the latest day (daily_online.csv)'
      : 'Unique devices online at least once in the 28 days ending on the latest day (rolling28_online.csv)';
  return { html: table(head, body, { caption, cls: 'headline' }), growths };
}

/** Section "Headline numbers": the latest day, per bucket, with growth over 30, 90 and 365 days. */
export const headlineSection: SectionBuilder = async (runDir): Promise<ReportSection> => {
  const daily = readCounts(runDir, 'daily');
  const rolling = readCounts(runDir, 'rolling28');
  const d = daily.at(-1) as CountRow;
  const r = rolling.at(-1) as CountRow;
  const dt = headlineTable(daily, 'daily');
  const rt = headlineTable(rolling, 'rolling28');
  const top = [...BUCKETS].sort((a, b) => d[b.key] - d[a.key])[0];
  const html = [
    '<div class="cards">',
    `<div class="card"><div class="card-label">Online on ${esc(d.date)}</div><div class="card-value">${fmtInt(d.total)}</div><div class="card-sub">unique devices that day</div></div>`,
    `<div class="card"><div class="card-label">Online in the 28 days to ${esc(r.date)}</div><div class="card-value">${fmtInt(r.total)}</div><div class="card-sub">unique devices in the window</div></div>`,
    `<div class="card"><div class="card-label">History</div><div class="card-value">${fmtInt(historyDays(daily))}</div><div class="card-sub">days, ${esc(daily[0]?.date ?? '')} to ${esc(d.date)}</div></div>`,
    '</div>',
    top && d.total > 0
      ? `<p>On ${esc(d.date)} the largest group was fleets of ${esc(top.label)} devices: ${fmtInt(d[top.key])} of ${fmtInt(d.total)} online devices (${fmtPct(d[top.key] / d.total)}). Growth compares the latest value with the value exactly 30, 90 and 365 days earlier.</p>`
      : `<p>No device was online on ${esc(d.date)}.</p>`,
    dt.html,
    shortHistoryNote(daily, dt.growths),
    rt.html,
    shortHistoryNote(rolling, rt.growths),
  ].join('\n');
  return { id: 'headline', title: 'Headline numbers', order: 100, html, charts: [] };
};
