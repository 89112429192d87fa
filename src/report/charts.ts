/**
 * Vega-Lite spec builders. One builder per chart kind, used by report.html,
 * the headless SVG/PNG renderer and the dashboard, so every view of a chart
 * is the same spec with the same colours and fonts.
 */
import type { RuleCounter } from '../repair/quality.js';
import { BUCKETS, FONT_STACK } from './buckets.js';
import type { CountKind, CountRow, ServerRepairs } from './run-folder.js';
import type { TruthComparison } from './stats.js';

export type VlSpec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
export const CHART_WIDTH = 760;
export const CHART_HEIGHT = 300;

const LABELS = BUCKETS.map((b) => b.label);
const KEYS = BUCKETS.map((b) => b.key);
const COLORS = BUCKETS.map((b) => b.color);

/** Shared look: the font (also the one the PNG renderer loads), white background, sizes. */
export function chartConfig(): VlSpec {
  return {
    font: FONT_STACK,
    background: '#ffffff',
    padding: 10,
    title: {
      fontSize: 16,
      fontWeight: 'bold',
      subtitleFontSize: 12,
      subtitleColor: '#4d4d4d',
      anchor: 'start',
      offset: 12,
      color: '#1a1a1a',
    },
    axis: {
      labelFontSize: 11,
      labelLimit: 320,
      titleFontSize: 12,
      titleColor: '#1a1a1a',
      labelColor: '#333333',
      gridColor: '#e8e8e8',
      domainColor: '#888888',
      tickColor: '#888888',
    },
    legend: {
      labelFontSize: 12,
      titleFontSize: 12,
      titleColor: '#1a1a1a',
      labelColor: '#1a1a1a',
      labelLimit: 320,
    },
    header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 'bold' },
    view: { stroke: null },
  };
}

const js = (v: unknown) => JSON.stringify(v);

/** Wide rows (one per day) -> long rows (one per day and bucket) with the bucket label and stack order. */
function foldBuckets(): VlSpec[] {
  return [
    { fold: KEYS, as: ['key', 'count'] },
    { calculate: `${js(LABELS)}[indexof(${js(KEYS)}, datum.key)]`, as: 'bucket' },
    { calculate: `indexof(${js(KEYS)}, datum.key)`, as: 'bucket_order' },
  ];
}

/** The colour channel every bucket chart uses: fixed domain and colours, legend top-down like the stack. */
export function bucketColor(
  opts: { legend?: boolean; legendEncode?: VlSpec; symbol?: 'square' | 'stroke' } = {},
): VlSpec {
  return {
    field: 'bucket',
    type: 'nominal',
    scale: { domain: LABELS, range: COLORS },
    legend:
      opts.legend === false
        ? null
        : {
            title: 'Fleet size',
            values: [...LABELS].reverse(),
            symbolType: opts.symbol ?? 'square',
            symbolSize: 140,
            ...(opts.symbol === 'stroke' ? { symbolStrokeWidth: 3 } : {}),
            ...(opts.legendEncode ? { encode: opts.legendEncode } : {}),
          },
  };
}

/**
 * Tick labels that always carry the year: '2016' on 1 January, "Mar '16" on
 * other month starts, 'Mar 14' for ticks inside a month (short ranges).
 */
const DAY_LABEL =
  "utcdate(datum.value) === 1 && utchours(datum.value) === 0 ? (utcmonth(datum.value) === 0 ? utcFormat(datum.value, '%Y') : utcFormat(datum.value, \"%b '%y\")) : utcFormat(datum.value, '%b %d')";

function xDay(extra: VlSpec = {}): VlSpec {
  return {
    field: 'date',
    type: 'temporal',
    title: 'Day (UTC)',
    scale: { type: 'utc', ...((extra.scale as VlSpec) ?? {}) },
    axis: { labelOverlap: true, grid: false, labelExpr: DAY_LABEL },
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'scale')),
  };
}

/** Tooltip text fields: 'count (share of the day's total)' per bucket. */
function tooltipCalcs(): VlSpec[] {
  // 'date' is parsed to a timestamp where a layer uses it as temporal: print it back as YYYY-MM-DD.
  const day = { calculate: "utcFormat(toDate(datum.date), '%Y-%m-%d')", as: 'tt_date' };
  return [
    day,
    ...BUCKETS.map((b) => ({
      calculate: `format(datum.${b.key}, ',d') + (datum.total > 0 ? ' (' + format(datum.${b.key} / datum.total, '.1%') + ')' : '')`,
      as: `tt_${b.key}`,
    })),
  ];
}

function tooltipFields(kind: CountKind): VlSpec[] {
  return [
    { field: 'tt_date', type: 'nominal', title: kind === 'daily' ? 'Day (UTC)' : '28 days ending' },
    ...[...BUCKETS]
      .reverse()
      .map((b) => ({ field: `tt_${b.key}`, type: 'nominal', title: `Fleet ${b.label}` })),
    { field: 'total', type: 'quantitative', title: 'Total', format: ',d' },
  ];
}

export interface CountsChartOptions {
  kind: CountKind;
  /** 'stack': absolute stacked areas; 'share': 100% stacked. */
  mode: 'stack' | 'share';
  title: string | VlSpec;
  subtitle?: string | string[] | VlSpec;
  width?: number;
  height?: number;
  /** Extra transform run first (the dashboard's mode and bucket filters). */
  preFilter?: VlSpec[];
  bucketFilter?: string;
  /** x-scale domain (the dashboard's brush). */
  xDomain?: VlSpec;
  /** Unique name for the hover selection. */
  hoverName: string;
  legendEncode?: VlSpec;
}

/** A single-view (layered) chart over wide count rows: stacked areas plus a hover rule carrying the tooltip. */
export function countsLayer(o: CountsChartOptions): VlSpec {
  const share = o.mode === 'share';
  const base: VlSpec[] = [...(o.preFilter ?? [])];
  if (share) base.push({ filter: 'datum.total > 0' });
  const x = xDay(o.xDomain ? { scale: { domain: o.xDomain } } : {});
  return {
    title: o.subtitle === undefined ? o.title : { text: o.title, subtitle: o.subtitle },
    width: o.width ?? CHART_WIDTH,
    height: o.height ?? CHART_HEIGHT,
    transform: [...base, ...tooltipCalcs()],
    layer: [
      {
        transform: [...foldBuckets(), ...(o.bucketFilter ? [{ filter: o.bucketFilter }] : [])],
        mark: { type: 'area', interpolate: 'linear', ...(o.xDomain ? { clip: true } : {}) },
        encoding: {
          x,
          y: {
            field: 'count',
            type: 'quantitative',
            stack: share ? 'normalize' : 'zero',
            title: share ? 'Share of online devices' : 'Online devices',
            axis: { format: share ? '.0%' : ',d', tickMinStep: share ? undefined : 1 },
          },
          color: bucketColor({ legendEncode: o.legendEncode }),
          order: { field: 'bucket_order', type: 'quantitative' },
        },
      },
      {
        // One transparent band per day carries the tooltip; the hovered day is shaded.
        transform: [
          { calculate: 'time(toDate(datum.date)) - 43200000', as: 'band_start' },
          { calculate: 'time(toDate(datum.date)) + 43200000', as: 'band_end' },
        ],
        mark: { type: 'rect', color: '#000000', ...(o.xDomain ? { clip: true } : {}) },
        params: [
          {
            name: o.hoverName,
            select: { type: 'point', fields: ['date'], on: 'pointerover', clear: 'pointerout' },
          },
        ],
        encoding: {
          x: { ...x, field: 'band_start' },
          x2: { field: 'band_end' },
          opacity: { condition: { param: o.hoverName, value: 0.12, empty: false }, value: 0 },
          tooltip: tooltipFields(o.kind),
        },
      },
    ],
  };
}

/** A complete stand-alone Vega-Lite spec for a counts chart, data inlined. */
export function countsChart(
  rows: CountRow[],
  o: Omit<CountsChartOptions, 'hoverName'> & { name: string },
): VlSpec {
  return {
    $schema: SCHEMA,
    description: typeof o.title === 'string' ? o.title : undefined,
    data: { values: rows },
    config: chartConfig(),
    ...countsLayer({ ...o, hoverName: `hover_${o.name}` }),
  };
}

/** Kinds of quality.json counters, for the repair-rule chart's colours. */
export const RULE_KINDS = [
  { kind: 'observed interval', color: '#4d4d4d', counters: ['rule_3'] },
  { kind: 'repaired interval', color: '#7b3294', counters: ['rule_1', 'rule_2', 'rule_4', 'end'] },
  { kind: 'opens an interval', color: '#9e9e9e', counters: ['rule_5', 'rule_6', 'first_online'] },
  { kind: 'event ignored', color: '#c4c4c4', counters: ['rule_7', 'rule_8', 'leading_offline'] },
] as const;

export function ruleKind(counter: string): string {
  return RULE_KINDS.find((k) => (k.counters as readonly string[]).includes(counter))?.kind ?? 'other';
}

export function ruleLabel(counter: string, meaning: string): string {
  const m = /^rule_(\d+)$/.exec(counter);
  const name = m ? `rule ${m[1]}` : counter.replaceAll('_', ' ');
  return `${name}: ${meaning.replaceAll('->', '→')}`;
}

/** Firings and device-days per quality.json counter, side by side. */
export function repairRulesChart(rules: Record<string, RuleCounter>, subtitle: string): VlSpec {
  const values: VlSpec[] = [];
  Object.entries(rules).forEach(([counter, r], i) => {
    const base = { counter, label: ruleLabel(counter, r.meaning), kind: ruleKind(counter), order: i };
    values.push({ ...base, measure: 'Firings (events)', value: r.firings });
    values.push({ ...base, measure: 'Device-days touched', value: r.device_days });
  });
  const kinds = RULE_KINDS.map((k) => k.kind);
  const colors = RULE_KINDS.map((k) => k.color);
  if (values.some((v) => v.kind === 'other')) {
    kinds.push('other' as never);
    colors.push('#e0e0e0' as never);
  }
  return {
    $schema: SCHEMA,
    description: 'Repair rule firings and device-days per rule',
    title: { text: 'Repair rules: how often each fired, and the device-days it touched', subtitle },
    data: { values },
    config: chartConfig(),
    facet: { column: { field: 'measure', title: null, sort: ['Firings (events)', 'Device-days touched'] } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 240,
      height: { step: 22 },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y: {
              field: 'label',
              type: 'nominal',
              title: null,
              sort: { field: 'order', op: 'min' },
              axis: { labelLimit: 420 },
            },
            x: {
              field: 'value',
              type: 'quantitative',
              title: null,
              axis: { format: ',d', tickCount: 3, tickMinStep: 1 },
            },
            color: {
              field: 'kind',
              type: 'nominal',
              title: 'Counter kind',
              scale: { domain: kinds, range: colors },
              legend: { orient: 'top', direction: 'horizontal', symbolType: 'square' },
            },
            tooltip: [
              { field: 'label', title: 'Counter' },
              { field: 'measure', title: 'Measure' },
              { field: 'value', type: 'quantitative', title: 'Count', format: ',d' },
            ],
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#1a1a1a' },
          encoding: {
            y: { field: 'label', type: 'nominal', sort: { field: 'order', op: 'min' } },
            x: { field: 'value', type: 'quantitative' },
            text: { field: 'value', type: 'quantitative', format: ',d' },
          },
        },
      ],
    },
  };
}

/** The repair columns of repairs_by_server.csv, in the chart's colour order. */
export const SERVER_REPAIR_COLUMNS = [
  { column: 'rule_1', label: 'rule 1: online X → online X', color: '#762a83' },
  { column: 'rule_2', label: 'rule 2: online X → online Y', color: '#af8dc3' },
  { column: 'rule_4', label: 'rule 4: online X → offline Y', color: '#4d4d4d' },
  { column: 'end_case', label: 'end: online at the end', color: '#b8b8b8' },
] as const;

export function repairedFirings(s: ServerRepairs): number {
  return SERVER_REPAIR_COLUMNS.reduce((n, c) => n + (s.counts[c.column] ?? 0), 0);
}

/** The servers with the most repaired interval closings, stacked by rule. */
export function serversChart(servers: ServerRepairs[], top: number, subtitle: string): VlSpec {
  const ranked = [...servers]
    .filter((s) => repairedFirings(s) > 0)
    .sort((a, b) => repairedFirings(b) - repairedFirings(a) || Number(a.server_id) - Number(b.server_id))
    .slice(0, top);
  const values: VlSpec[] = [];
  ranked.forEach((s, rank) => {
    const name = `server ${s.server_id}${s.known_server ? '' : ' (not in servers.csv)'}`;
    for (const c of SERVER_REPAIR_COLUMNS) {
      const n = s.counts[c.column];
      if (n) {
        values.push({
          server: name,
          rank,
          rule: c.label,
          rule_order: SERVER_REPAIR_COLUMNS.indexOf(c),
          firings: n,
          online_events: s.counts.online_events,
        });
      }
    }
  });
  return {
    $schema: SCHEMA,
    description: 'Repaired interval closings per server',
    title: { text: `Repaired interval closings by server (top ${ranked.length})`, subtitle },
    data: { values },
    config: chartConfig(),
    width: 560,
    height: { step: 20 },
    mark: 'bar',
    encoding: {
      y: { field: 'server', type: 'nominal', title: null, sort: { field: 'rank', op: 'min' } },
      x: {
        field: 'firings',
        type: 'quantitative',
        stack: 'zero',
        title: 'Repaired interval closings',
        axis: { format: ',d', tickMinStep: 1 },
      },
      color: {
        field: 'rule',
        type: 'nominal',
        title: 'Rule',
        scale: {
          domain: SERVER_REPAIR_COLUMNS.map((c) => c.label),
          range: SERVER_REPAIR_COLUMNS.map((c) => c.color),
        },
      },
      order: { field: 'rule_order', type: 'quantitative', sort: 'ascending' },
      tooltip: [
        { field: 'server', title: 'Server' },
        { field: 'rule', title: 'Rule' },
        { field: 'firings', type: 'quantitative', title: 'Firings', format: ',d' },
        { field: 'online_events', type: 'quantitative', title: 'Online events on this server', format: ',d' },
      ],
    },
  };
}

/** Repaired and true counts per bucket (one panel each), from the generator's truth/. */
export function truthCompareChart(cmp: TruthComparison, kind: CountKind, subtitle: string): VlSpec {
  const values: VlSpec[] = [];
  for (const p of cmp.pairs) {
    for (const b of BUCKETS) {
      values.push({
        date: p.date,
        bucket: b.label,
        series: 'repaired (fleetpulse)',
        count: p.repaired[b.key],
      });
      values.push({ date: p.date, bucket: b.label, series: 'true (generator)', count: p.truth[b.key] });
    }
  }
  const what = kind === 'daily' ? 'per day' : 'per 28 days';
  return {
    $schema: SCHEMA,
    description: `Repaired vs true online devices ${what}`,
    title: { text: `Repaired vs true online devices ${what}, by fleet size`, subtitle },
    data: { values },
    config: chartConfig(),
    facet: {
      row: {
        field: 'bucket',
        type: 'nominal',
        title: 'Fleet size',
        sort: [...LABELS].reverse(),
        header: { labelAngle: 0, labelAlign: 'left' },
      },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: CHART_WIDTH - 80,
      height: 90,
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: xDay(),
        y: { field: 'count', type: 'quantitative', title: 'Devices', axis: { format: ',d', tickCount: 3 } },
        color: bucketColor({ legend: false }),
        strokeDash: {
          field: 'series',
          type: 'nominal',
          title: 'Series',
          scale: {
            domain: ['repaired (fleetpulse)', 'true (generator)'],
            range: [
              [1, 0],
              [5, 3],
            ],
          },
        },
        tooltip: [
          { field: 'date', type: 'nominal', title: 'Day (UTC)' },
          { field: 'bucket', title: 'Fleet size' },
          { field: 'series', title: 'Series' },
          { field: 'count', type: 'quantitative', title: 'Devices', format: ',d' },
        ],
      },
    },
  };
}

/** Repaired minus true count per bucket over time. */
export function truthErrorChart(cmp: TruthComparison, kind: CountKind, subtitle: string): VlSpec {
  const values: VlSpec[] = [];
  for (const p of cmp.pairs) {
    for (const b of BUCKETS) {
      values.push({
        date: p.date,
        bucket: b.label,
        error: p.repaired[b.key] - p.truth[b.key],
        repaired: p.repaired[b.key],
        truth: p.truth[b.key],
      });
    }
  }
  const what = kind === 'daily' ? 'daily' : 'rolling 28-day';
  return {
    $schema: SCHEMA,
    description: `Error of the ${what} counts: repaired minus true`,
    title: { text: `Error of the ${what} counts: repaired minus true, by fleet size`, subtitle },
    data: { values },
    config: chartConfig(),
    width: CHART_WIDTH,
    height: 260,
    layer: [
      { mark: { type: 'rule', color: '#888888' }, encoding: { y: { datum: 0 } } },
      {
        mark: { type: 'line', strokeWidth: 1.5, point: cmp.pairs.length <= 60 },
        encoding: {
          x: xDay(),
          y: {
            field: 'error',
            type: 'quantitative',
            title: 'Repaired − true (devices)',
            axis: { format: ',d', tickMinStep: 1 },
          },
          color: bucketColor({ symbol: 'stroke' }),
          tooltip: [
            { field: 'date', type: 'nominal', title: 'Day (UTC)' },
            { field: 'bucket', title: 'Fleet size' },
            { field: 'repaired', type: 'quantitative', title: 'Repaired', format: ',d' },
            { field: 'truth', type: 'quantitative', title: 'True', format: ',d' },
            { field: 'error', type: 'quantitative', title: 'Error', format: '+,d' },
          ],
        },
      },
    ],
  };
}

/**
 * The dashboard's explorer: stacked counts, 100% shares and an overview with
 * a time brush, over both count files. Params: `mode` ('daily' | 'rolling28'),
 * `hidden` (bucket labels toggled off from the legend), `brush` (time range).
 */
export function explorerSpec(daily: CountRow[], rolling28: CountRow[], range: string): VlSpec {
  const rows = [
    ...daily.map((r) => ({ ...r, mode: 'daily' })),
    ...rolling28.map((r) => ({ ...r, mode: 'rolling28' })),
  ];
  const modeFilter = [{ filter: 'datum.mode === mode' }];
  const bucketFilter = 'indexof(hidden, datum.bucket) < 0';
  const dim = 'indexof(hidden, datum.value) < 0 ? 1 : 0.3';
  const legendEncode = {
    symbols: { interactive: true, update: { opacity: { signal: dim }, cursor: { value: 'pointer' } } },
    labels: { interactive: true, update: { opacity: { signal: dim }, cursor: { value: 'pointer' } } },
  };
  const brushDomain = { param: 'brush', encoding: 'x' };
  const width = 840;
  return {
    $schema: SCHEMA,
    description: 'Online devices by fleet size: daily or rolling 28 days, with a time brush',
    datasets: { counts: rows },
    data: { name: 'counts' },
    config: chartConfig(),
    params: [
      { name: 'mode', value: 'daily' },
      { name: 'hidden', value: [] },
    ],
    vconcat: [
      countsLayer({
        kind: 'daily',
        mode: 'stack',
        title: {
          expr: "mode === 'daily' ? 'Unique online devices per day, by fleet size' : 'Unique online devices in the 28 days ending each day, by fleet size'",
        },
        subtitle: `${range} · click a legend entry to hide or show a fleet size · drag on the overview below to zoom`,
        width,
        height: 300,
        preFilter: modeFilter,
        bucketFilter,
        xDomain: brushDomain,
        hoverName: 'hover_stack',
        legendEncode,
      }),
      countsLayer({
        kind: 'daily',
        mode: 'share',
        title: {
          expr: "mode === 'daily' ? 'Share of the day’s online devices, by fleet size' : 'Share of the 28-day online devices, by fleet size'",
        },
        width,
        height: 180,
        preFilter: modeFilter,
        bucketFilter,
        xDomain: brushDomain,
        hoverName: 'hover_share',
        legendEncode,
      }),
      {
        title: {
          text: 'Overview: drag to select a time range, double-click to reset',
          fontSize: 12,
          fontWeight: 'normal',
        },
        width,
        height: 60,
        transform: modeFilter,
        params: [{ name: 'brush', select: { type: 'interval', encodings: ['x'] } }],
        mark: { type: 'area', color: '#7f7f7f', opacity: 0.6 },
        encoding: {
          x: xDay(),
          y: { field: 'total', type: 'quantitative', title: 'Total', axis: { format: '~s', tickCount: 2 } },
        },
      },
    ],
  };
}
