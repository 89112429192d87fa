import { countsChart } from '../charts.js';
import { esc, fmtInt, plural } from '../format.js';
import { type CountKind, type CountRow, readCounts } from '../run-folder.js';
import type { ChartSpec, ReportSection, SectionBuilder } from '../section.js';
import { rangeText } from '../text.js';

const TITLES: Record<CountKind, { stack: string; share: string; owner: string }> = {
  daily: {
    stack: 'Unique online devices per day, by fleet size',
    share: 'Share of each day’s online devices, by fleet size',
    owner: 'fleet size = devices its owner had online that day',
  },
  rolling28: {
    stack: 'Unique online devices in the 28 days ending each day, by fleet size',
    share: 'Share of the 28-day online devices, by fleet size',
    owner: 'fleet size = devices its owner had online in those 28 days',
  },
};

function peak(rows: CountRow[]): CountRow {
  return rows.reduce((best, r) => (r.total > best.total ? r : best), rows[0] as CountRow);
}

export function onlineCharts(kind: CountKind, rows: CountRow[]): ChartSpec[] {
  const t = TITLES[kind];
  const range = rangeText(rows);
  const empty = rows.filter((r) => r.total === 0).length;
  const name = kind === 'daily' ? 'daily_online' : 'rolling28_online';
  return [
    {
      name,
      title: t.stack,
      description: `Stacked areas of the ${kind === 'daily' ? 'daily' : 'rolling 28-day'} count, 1-2 at the bottom up to 1000+.`,
      spec: countsChart(rows, {
        name,
        kind,
        mode: 'stack',
        title: t.stack,
        subtitle: [`${range} · stacked, fleets of 1-2 at the bottom up to 1000+ on top`, t.owner],
      }),
    },
    {
      name: `share_${kind}`,
      title: t.share,
      description: `100% stacked areas: each fleet size's share of the ${kind === 'daily' ? 'daily' : 'rolling 28-day'} count.`,
      spec: countsChart(rows, {
        name: `share_${kind}`,
        kind,
        mode: 'share',
        title: t.share,
        subtitle: [
          `${range} · 100% stacked${empty ? ` · ${plural(empty, 'day')} with no online device left out` : ''}`,
          t.owner,
        ],
      }),
    },
  ];
}

/** Section "Online devices by fleet size": the daily and rolling 28-day charts, absolute and shares. */
export const onlineSection: SectionBuilder = async (runDir): Promise<ReportSection> => {
  const daily = readCounts(runDir, 'daily');
  const rolling = readCounts(runDir, 'rolling28');
  const [dailyStack, dailyShare] = onlineCharts('daily', daily);
  const [rollStack, rollShare] = onlineCharts('rolling28', rolling);
  const pd = peak(daily);
  const pr = peak(rolling);
  const html = [
    `<p>A device counts once per day it was online for any amount of time; it belongs to its owner’s fleet size bucket. The daily peak was ${fmtInt(pd.total)} devices on ${esc(pd.date)}.</p>`,
    '<div data-chart="daily_online"></div>',
    `<p>The rolling count takes the 28 days ending on each day: a device counts if it was online on any of them, in the bucket of its owner’s 28-day fleet size. Its peak was ${fmtInt(pr.total)} devices on ${esc(pr.date)}.</p>`,
    '<div data-chart="rolling28_online"></div>',
    '<p>The same counts as shares of each day’s total, showing how the mix of fleet sizes moves independently of growth.</p>',
    '<div data-chart="share_daily"></div>',
    '<div data-chart="share_rolling28"></div>',
  ].join('\n');
  return {
    id: 'online',
    title: 'Online devices by fleet size',
    order: 110,
    html,
    charts: [dailyStack, rollStack, dailyShare, rollShare].filter((c): c is ChartSpec => c !== undefined),
  };
};
