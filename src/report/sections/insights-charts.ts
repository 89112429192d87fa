/**
 * Vega-Lite specs of the insights sections, data inlined. The look (font,
 * sizes, bucket colours) comes from the report's shared chart config.
 */
import { BUCKETS } from '../buckets.js';
import { CHART_HEIGHT, CHART_WIDTH, chartConfig, type VlSpec } from '../charts.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

function base(title: string, subtitle: string | string[], values: VlSpec[]): VlSpec {
  return {
    $schema: SCHEMA,
    description: title,
    title: { text: title, subtitle },
    data: { values },
    config: chartConfig(),
  };
}

/** 'YYYY-MM' -> 'YYYY-MM-01', a date Vega parses as UTC. */
const monthDate = (m: string) => `${m}-01`;

const xMonth: VlSpec = {
  field: 'month',
  type: 'temporal',
  timeUnit: 'utcyearmonth',
  title: 'Month',
  axis: { format: '%b %Y', labelOverlap: true, grid: false },
};

export interface RevenueRow {
  month: string;
  bucket: string;
  users: number;
  billable_devices: number;
  revenue_usd: number;
}

/** Stacked monthly revenue by fleet-size bucket. */
export function revenueByFleetChart(rows: RevenueRow[], subtitle: string): VlSpec {
  const labels = BUCKETS.map((b) => b.label);
  const values = rows.map((r) => ({
    month: monthDate(r.month),
    month_label: r.month,
    bucket: r.bucket,
    bucket_order: labels.indexOf(r.bucket as (typeof labels)[number]),
    revenue: r.revenue_usd,
    users: r.users,
    devices: r.billable_devices,
  }));
  return {
    ...base('Monthly revenue by fleet size', subtitle, values),
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    mark: { type: 'bar' },
    encoding: {
      x: xMonth,
      y: {
        field: 'revenue',
        type: 'quantitative',
        stack: 'zero',
        title: 'Revenue (USD per month)',
        axis: { format: '$,.0f' },
      },
      color: {
        field: 'bucket',
        type: 'nominal',
        title: 'Fleet size',
        scale: { domain: labels, range: BUCKETS.map((b) => b.color) },
        legend: { values: [...labels].reverse(), symbolType: 'square' },
      },
      order: { field: 'bucket_order', type: 'quantitative' },
      tooltip: [
        { field: 'month_label', type: 'nominal', title: 'Month' },
        { field: 'bucket', type: 'nominal', title: 'Fleet size' },
        { field: 'revenue', type: 'quantitative', title: 'Revenue (USD)', format: '$,.2f' },
        { field: 'users', type: 'quantitative', title: 'Users', format: ',d' },
        { field: 'devices', type: 'quantitative', title: 'Billable devices', format: ',d' },
      ],
    },
  };
}

export interface ProjectionRow {
  month: string;
  kind: 'actual' | 'projected';
  revenue_usd: number;
  revenue_lo80: number | null;
  revenue_hi80: number | null;
  revenue_lo95: number | null;
  revenue_hi95: number | null;
}

/** Actual monthly revenue, then the projection with its 80% and 95% ranges. */
export function projectionChart(rows: ProjectionRow[], subtitle: string | string[]): VlSpec {
  const lastActual = rows.filter((r) => r.kind === 'actual').at(-1);
  const values: VlSpec[] = rows.map((r) => ({ ...r, month: monthDate(r.month), month_label: r.month }));
  // Join the projected line to the last actual month so the two lines meet.
  if (lastActual)
    values.push({
      ...lastActual,
      month: monthDate(lastActual.month),
      month_label: lastActual.month,
      kind: 'projected',
      revenue_lo80: lastActual.revenue_usd,
      revenue_hi80: lastActual.revenue_usd,
      revenue_lo95: lastActual.revenue_usd,
      revenue_hi95: lastActual.revenue_usd,
      joint: true,
    });
  const band = (lo: string, hi: string, opacity: number): VlSpec => ({
    transform: [{ filter: "datum.kind === 'projected'" }],
    mark: { type: 'area', color: '#0072B2', opacity },
    encoding: {
      x: xMonth,
      y: { field: lo, type: 'quantitative' },
      y2: { field: hi },
    },
  });
  return {
    ...base('Monthly revenue: actual and projected', subtitle, values),
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    layer: [
      band('revenue_lo95', 'revenue_hi95', 0.12),
      band('revenue_lo80', 'revenue_hi80', 0.25),
      {
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: {
          x: xMonth,
          y: {
            field: 'revenue_usd',
            type: 'quantitative',
            title: 'Revenue (USD per month)',
            axis: { format: '$,.0f' },
          },
          color: {
            field: 'kind',
            type: 'nominal',
            title: null,
            scale: { domain: ['actual', 'projected'], range: ['#1a1a1a', '#0072B2'] },
          },
          strokeDash: {
            field: 'kind',
            type: 'nominal',
            title: null,
            scale: {
              domain: ['actual', 'projected'],
              range: [
                [1, 0],
                [6, 4],
              ],
            },
          },
          tooltip: [
            { field: 'month_label', type: 'nominal', title: 'Month' },
            { field: 'kind', type: 'nominal', title: 'Kind' },
            { field: 'revenue_usd', type: 'quantitative', title: 'Revenue (USD)', format: '$,.0f' },
            { field: 'revenue_lo80', type: 'quantitative', title: '80% low', format: '$,.0f' },
            { field: 'revenue_hi80', type: 'quantitative', title: '80% high', format: '$,.0f' },
            { field: 'revenue_lo95', type: 'quantitative', title: '95% low', format: '$,.0f' },
            { field: 'revenue_hi95', type: 'quantitative', title: '95% high', format: '$,.0f' },
          ],
        },
      },
    ],
  };
}

export interface CohortRow {
  cohort: string;
  months_since: number;
  active: number;
  cohort_size: number;
  retention: number;
}

/** Retention heatmap: activation month down, months since activation across. */
export function cohortHeatmap(rows: CohortRow[], what: 'devices' | 'users', subtitle: string): VlSpec {
  const cohorts = new Set(rows.map((r) => r.cohort)).size;
  return {
    ...base(
      `${what === 'devices' ? 'Device' : 'User'} retention by activation month`,
      subtitle,
      rows as never,
    ),
    width: CHART_WIDTH,
    height: { step: cohorts > 30 ? 12 : 18 },
    mark: { type: 'rect' },
    encoding: {
      x: {
        field: 'months_since',
        type: 'ordinal',
        title: 'Months since activation',
        axis: { labelAngle: 0 },
      },
      y: { field: 'cohort', type: 'ordinal', title: 'Activation month', sort: 'ascending' },
      color: {
        field: 'retention',
        type: 'quantitative',
        title: 'Retained',
        scale: { domain: [0, 1], scheme: 'blues' },
        legend: { format: '.0%' },
      },
      tooltip: [
        { field: 'cohort', type: 'nominal', title: 'Activation month' },
        { field: 'months_since', type: 'quantitative', title: 'Months since' },
        { field: 'retention', type: 'quantitative', title: 'Retained', format: '.1%' },
        { field: 'active', type: 'quantitative', title: `Active ${what}`, format: ',d' },
        { field: 'cohort_size', type: 'quantitative', title: 'Cohort size', format: ',d' },
      ],
    },
  };
}

export interface CurvePoint {
  days: number;
  share_reached: number;
  at_risk: number;
}

/** Kaplan-Meier share of users who reached the target fleet size, by days since their first device. */
export function timeToTargetChart(points: CurvePoint[], target: number, subtitle: string): VlSpec {
  const values = [{ days: 0, share_reached: 0, at_risk: points[0]?.at_risk ?? 0 }, ...points];
  return {
    ...base(`Time from the first device to ${target} devices online`, subtitle, values as never),
    width: CHART_WIDTH,
    height: 240,
    mark: { type: 'line', interpolate: 'step-after', color: '#009E73', strokeWidth: 2 },
    encoding: {
      x: { field: 'days', type: 'quantitative', title: 'Days since the first device' },
      y: {
        field: 'share_reached',
        type: 'quantitative',
        title: `Share of users with ${target}+ devices`,
        axis: { format: '.0%' },
      },
      tooltip: [
        { field: 'days', type: 'quantitative', title: 'Days' },
        { field: 'share_reached', type: 'quantitative', title: 'Share reached', format: '.2%' },
        { field: 'at_risk', type: 'quantitative', title: 'Users followed this long', format: ',d' },
      ],
    },
  };
}

export interface LossRow {
  server_id: number;
  known_server: boolean;
  lost_events: number;
  lost_per_100_sessions: number | null;
  online_events: number;
}

/** Lost events per server (top N). */
export function serverLossChart(rows: LossRow[], subtitle: string): VlSpec {
  const values = rows.map((r, rank) => ({
    server: `server ${r.server_id}${r.known_server ? '' : ' (not in servers.csv)'}`,
    rank,
    lost: r.lost_events,
    rate: r.lost_per_100_sessions,
    online: r.online_events,
    known: r.known_server ? 'in servers.csv' : 'not in servers.csv',
  }));
  return {
    ...base(`Estimated lost events by server (top ${rows.length})`, subtitle, values),
    width: 560,
    height: { step: 20 },
    mark: 'bar',
    encoding: {
      y: { field: 'server', type: 'nominal', title: null, sort: { field: 'rank', op: 'min' } },
      x: { field: 'lost', type: 'quantitative', title: 'Estimated lost events', axis: { format: ',d' } },
      color: {
        field: 'known',
        type: 'nominal',
        title: null,
        scale: { domain: ['in servers.csv', 'not in servers.csv'], range: ['#D55E00', '#999999'] },
      },
      tooltip: [
        { field: 'server', title: 'Server' },
        { field: 'lost', type: 'quantitative', title: 'Lost events', format: ',d' },
        { field: 'rate', type: 'quantitative', title: 'Per 100 sessions', format: '.2f' },
        { field: 'online', type: 'quantitative', title: 'Online events', format: ',d' },
      ],
    },
  };
}

export interface SensitivityRow {
  date: string;
  total_literal: number;
  total_alternative: number;
  difference: number;
}

/** Daily totals under the two rule-4 variants, and their difference. */
export function sensitivityChart(rows: SensitivityRow[], subtitle: string): VlSpec {
  const x: VlSpec = {
    field: 'date',
    type: 'temporal',
    title: 'Day (UTC)',
    scale: { type: 'utc' },
    axis: { labelOverlap: true, grid: false },
  };
  return {
    ...base('Rule 4 sensitivity: daily online devices', subtitle, rows as never),
    vconcat: [
      {
        width: CHART_WIDTH,
        height: 220,
        transform: [
          { fold: ['total_literal', 'total_alternative'], as: ['variant_key', 'devices'] },
          {
            calculate:
              "datum.variant_key === 'total_literal' ? 'literal rule 4 (SPEC)' : 'earlier of destruction and next event'",
            as: 'variant',
          },
        ],
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: 'devices', type: 'quantitative', title: 'Online devices', axis: { format: ',d' } },
          color: {
            field: 'variant',
            type: 'nominal',
            title: null,
            scale: {
              domain: ['literal rule 4 (SPEC)', 'earlier of destruction and next event'],
              range: ['#1a1a1a', '#E69F00'],
            },
            legend: { orient: 'top' },
          },
          strokeDash: {
            field: 'variant',
            type: 'nominal',
            scale: {
              domain: ['literal rule 4 (SPEC)', 'earlier of destruction and next event'],
              range: [
                [1, 0],
                [5, 3],
              ],
            },
            title: null,
            legend: { orient: 'top' },
          },
        },
      },
      {
        width: CHART_WIDTH,
        height: 120,
        mark: { type: 'area', color: '#D55E00', opacity: 0.7, interpolate: 'step-after' },
        encoding: {
          x,
          y: {
            field: 'difference',
            type: 'quantitative',
            title: 'Alternative − literal',
            axis: { format: ',d' },
          },
          tooltip: [
            { field: 'date', type: 'nominal', title: 'Day' },
            { field: 'total_literal', type: 'quantitative', title: 'Literal', format: ',d' },
            { field: 'total_alternative', type: 'quantitative', title: 'Alternative', format: ',d' },
            { field: 'difference', type: 'quantitative', title: 'Difference', format: ',d' },
          ],
        },
      },
    ],
  };
}
