import { BUCKETS } from '../buckets.js';
import { truthCompareChart, truthErrorChart } from '../charts.js';
import { type Cell, esc, fmtDec2, fmtPct, num, plural, swatch, table } from '../format.js';
import { type CountKind, readCounts, readTruth } from '../run-folder.js';
import type { ChartSpec, ReportSection, SectionBuilder } from '../section.js';
import { compareWithTruth, SERIES, type TruthComparison } from '../stats.js';

function signedDec(n: number): string {
  return n > 0 ? `+${fmtDec2(n)}` : n < 0 ? `−${fmtDec2(-n)}` : fmtDec2(0);
}

/** A percentage error: two decimals below 1% (a 0.04% error is not '0.0%'). */
function fmtErrPct(ratio: number): string {
  return ratio > 0 && ratio < 0.01 ? `${fmtDec2(ratio * 100)}%` : fmtPct(ratio);
}

export function errorTable(cmp: TruthComparison, kind: CountKind): string {
  const head: Cell[] = [
    'Fleet size',
    { html: 'MAE (devices)', num: true },
    { html: 'MAPE', num: true },
    { html: 'Max abs error', num: true },
    { html: 'on', num: false },
    { html: 'Bias (mean repaired − true)', num: true },
  ];
  const rows: Cell[][] = SERIES.map((s) => {
    const b = BUCKETS.find((x) => x.key === s.key);
    const e = cmp.bySeries[s.key];
    return [
      b ? swatch(b.label, b.color) : { html: '<b>Total</b>' },
      num(fmtDec2(e.mae)),
      num(
        e.mape === undefined
          ? '— (true count always 0)'
          : `${fmtErrPct(e.mape)}${e.mapeDays < e.days ? ` (${plural(e.mapeDays, 'day')})` : ''}`,
      ),
      e.maxAbs,
      e.maxAbs > 0 ? (e.maxAbsDate ?? '—') : '—',
      num(signedDec(e.bias)),
    ];
  });
  const caption =
    kind === 'daily'
      ? 'Daily counts: repaired (daily_online.csv) vs true (truth/daily_online.csv)'
      : 'Rolling 28-day counts: repaired vs true (truth/rolling28_online.csv)';
  return table(head, rows, { caption });
}

/** Section "Repaired vs true counts": only when the run folder holds the generator's truth/. */
export const truthSection: SectionBuilder = async (runDir): Promise<ReportSection | undefined> => {
  const truth = readTruth(runDir);
  if (!truth) return undefined;
  const daily = compareWithTruth(readCounts(runDir, 'daily'), truth.daily);
  const rolling = compareWithTruth(readCounts(runDir, 'rolling28'), truth.rolling28);
  const parts: string[] = [];
  const charts: ChartSpec[] = [];
  const scope = (c: TruthComparison, what: string) => {
    if (c.days === 0) return `<p class="note">The ${what} files share no day: nothing to compare.</p>`;
    const extra = [
      c.onlyRepaired ? `${plural(c.onlyRepaired, 'day')} only in the repaired file` : '',
      c.onlyTruth ? `${plural(c.onlyTruth, 'day')} only in truth/` : '',
    ].filter(Boolean);
    return `<p>The ${what} counts are compared on the ${plural(c.days, 'day')} both files hold, ${esc(c.first ?? '')} to ${esc(c.last ?? '')}${extra.length ? ` (left out: ${extra.join(', ')})` : ''}.</p>`;
  };
  const t = daily.bySeries.total;
  parts.push(
    '<p>The run folder holds <code>truth/</code> from <code>fleetpulse generate</code>: the counts the synthetic fleet really had, before the export was corrupted. Comparing them with the repaired counts measures how well the repair rules recover the metric. MAE is the mean absolute error in devices; MAPE the mean absolute error relative to the true count, over the days where that count is not 0; bias the mean of repaired minus true (positive: the repair over-counts).</p>',
  );
  if (daily.days > 0) {
    parts.push(
      `<p>Daily total: MAE ${fmtDec2(t.mae)} devices${t.mape === undefined ? '' : `, MAPE ${fmtErrPct(t.mape)}`}, ${t.maxAbs > 0 ? `largest error ${plural(t.maxAbs, 'device')} on ${esc(t.maxAbsDate ?? '—')}` : 'no error on any day'}, bias ${signedDec(t.bias)}.</p>`,
    );
  }
  parts.push(scope(daily, 'daily'));
  if (daily.days > 0) {
    parts.push(errorTable(daily, 'daily'));
    const sub = `${daily.first} to ${daily.last} (${plural(daily.days, 'day')}) · solid: repaired by fleetpulse · dashed: true, from the generator`;
    charts.push(
      {
        name: 'truth_compare_daily',
        title: 'Repaired vs true online devices per day',
        description: 'One panel per fleet size: repaired and true daily counts.',
        spec: truthCompareChart(daily, 'daily', sub),
      },
      {
        name: 'truth_error_daily',
        title: 'Error of the daily counts',
        description: 'Repaired minus true daily count per fleet size.',
        spec: truthErrorChart(
          daily,
          'daily',
          `${daily.first} to ${daily.last} · above 0: the repair over-counts`,
        ),
      },
    );
    parts.push('<div data-chart="truth_compare_daily"></div>', '<div data-chart="truth_error_daily"></div>');
  }
  parts.push(scope(rolling, 'rolling 28-day'));
  if (rolling.days > 0) {
    parts.push(errorTable(rolling, 'rolling28'));
    charts.push({
      name: 'truth_error_rolling28',
      title: 'Error of the rolling 28-day counts',
      description: 'Repaired minus true rolling 28-day count per fleet size.',
      spec: truthErrorChart(
        rolling,
        'rolling28',
        `${rolling.first} to ${rolling.last} · above 0: the repair over-counts`,
      ),
    });
    parts.push('<div data-chart="truth_error_rolling28"></div>');
  }
  return { id: 'truth', title: 'Repaired vs true counts', order: 250, html: parts.join('\n'), charts };
};
