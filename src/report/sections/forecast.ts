import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestSummary } from '../../forecast/backtest.js';
import { explain } from '../../forecast/explain.js';
import { FORECAST_FILES, type ForecastReport } from '../../forecast/forecast.js';
import type { ScoreReport } from '../../forecast/score.js';
import { readDailyColumn } from '../../forecast/series.js';
import { InputError } from '../../util/errors.js';
import { dayToIso } from '../../util/time.js';
import { CHART_WIDTH, chartConfig } from '../charts.js';
import { type Cell, esc, fmtDec, fmtInt, fmtPct, num, table } from '../format.js';
import type { ChartSpec, ReportSection, SectionBuilder } from '../section.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const BAND_COLOR = '#0072B2';
const OBSERVED_COLOR = '#1a1a1a';
/** Days of history shown before the projection in the per-model panels. */
const CONTEXT_DAYS = 365;

interface BandRow {
  date: string;
  yhat: number;
  lo80: number;
  hi80: number;
  lo95: number;
  hi95: number;
}

/** Reads forecast.csv or forecast_models.csv (with a leading model column). */
function readBandCsv(path: string, withModel: boolean): (BandRow & { model: string })[] {
  if (!existsSync(path))
    throw new InputError({ file: path, reason: 'missing (run fleetpulse forecast again)' });
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const expected = `${withModel ? 'model,' : ''}date,yhat,lo80,hi80,lo95,hi95`;
  if (lines[0] !== expected) {
    throw new InputError({
      file: path,
      line: 1,
      field: 'header',
      reason: `expected '${expected}'`,
      text: lines[0],
    });
  }
  return lines.slice(1).map((line, i) => {
    const f = line.split(',');
    const off = withModel ? 1 : 0;
    const v = f.slice(off + 1).map(Number);
    if (v.length !== 5 || v.some((x) => !Number.isFinite(x))) {
      throw new InputError({
        file: path,
        line: i + 2,
        field: 'line',
        reason: 'expected 5 numbers',
        text: line,
      });
    }
    return {
      model: withModel ? (f[0] as string) : '',
      date: f[off] as string,
      yhat: v[0] as number,
      lo80: v[1] as number,
      hi80: v[2] as number,
      lo95: v[3] as number,
      hi95: v[4] as number,
    };
  });
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new InputError({ file: path, reason: `not readable JSON (${(e as Error).message})` });
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

interface WeekPoint {
  date: string;
  value: number;
  lo80?: number;
  hi80?: number;
  lo95?: number;
  hi95?: number;
}

/**
 * Means over whole 7-day windows, the last one ending on the last day, each
 * plotted on its last day: the weekly cycle of a daily count would otherwise
 * fill the chart with a zigzag. A range's mean is the mean of its daily bounds.
 */
export function weeklyMeans(
  rows: { date: string; value: number; lo80?: number; hi80?: number; lo95?: number; hi95?: number }[],
): WeekPoint[] {
  const out: WeekPoint[] = [];
  for (let end = rows.length - 1; end - 6 >= 0; end -= 7) {
    const w = rows.slice(end - 6, end + 1);
    const avg = (k: 'value' | 'lo80' | 'hi80' | 'lo95' | 'hi95') => {
      const v = w.map((r) => r[k]).filter((x): x is number => typeof x === 'number');
      return v.length === w.length ? round(v.reduce((a, b) => a + b, 0) / v.length) : undefined;
    };
    const p: WeekPoint = { date: (w[6] as { date: string }).date, value: avg('value') as number };
    for (const k of ['lo80', 'hi80', 'lo95', 'hi95'] as const) {
      const v = avg(k);
      if (v !== undefined) p[k] = v;
    }
    out.push(p);
  }
  return out.reverse();
}

const fromBand = (b: BandRow) => ({
  date: b.date,
  value: b.yhat,
  lo80: b.lo80,
  hi80: b.hi80,
  lo95: b.lo95,
  hi95: b.hi95,
});

/** History and projection with the 80% and 95% bands, as 7-day means. */
export function projectionChart(
  history: { date: string; value: number }[],
  band: BandRow[],
  r: ForecastReport,
  label: string,
  own?: BandRow[],
): Record<string, unknown> {
  const weekly = band.length >= 7 && history.length >= 7;
  const obs = weekly ? weeklyMeans(history) : history;
  const proj = weekly ? weeklyMeans(band.map(fromBand)) : band.map(fromBand);
  // The chosen projection's own 80% range, when calibration widened it.
  const widened =
    own !== undefined &&
    own.length === band.length &&
    own.some(
      (o, i) => Math.abs(o.lo80 - (band[i]?.lo80 ?? 0)) + Math.abs(o.hi80 - (band[i]?.hi80 ?? 0)) > 0.5,
    );
  const ownPts = widened ? (weekly ? weeklyMeans(own.map(fromBand)) : own.map(fromBand)) : [];
  const values = [
    ...obs.map((h) => ({ date: h.date, part: 'observed', value: h.value })),
    ...proj.map((p) => ({ ...p, part: 'projection' })),
    ...ownPts.flatMap((p) => [
      { date: p.date, part: 'own', bound: 'low', value: p.lo80 },
      { date: p.date, part: 'own', bound: 'high', value: p.hi80 },
    ]),
  ];
  const x = {
    field: 'date',
    type: 'temporal',
    title: 'Day (UTC)',
    scale: { type: 'utc' },
    axis: { grid: false },
  };
  const isProj = { filter: "datum.part === 'projection'" };
  const what = weekly ? '7-day means · ' : '';
  return {
    $schema: SCHEMA,
    description: `Observed and projected ${label}, with 80% and 95% ranges`,
    title: {
      text: `${label[0]?.toUpperCase()}${label.slice(1)}: observed and projected to ${r.until}`,
      subtitle: [
        `${what}solid: observed, ${r.series.firstDate} to ${r.series.lastDate} · dashed: projection (${r.chosen.model})`,
        `dark band: 80% range · light band: 95% range${widened ? ' · dotted: the model’s own 80% range, before it was widened to match the backtests' : ''}`,
      ],
    },
    width: CHART_WIDTH,
    height: 320,
    config: chartConfig(),
    data: { values },
    layer: [
      {
        transform: [isProj],
        mark: { type: 'area', color: BAND_COLOR, opacity: 0.15 },
        encoding: { x, y: { field: 'lo95', type: 'quantitative' }, y2: { field: 'hi95' } },
      },
      {
        transform: [isProj],
        mark: { type: 'area', color: BAND_COLOR, opacity: 0.3 },
        encoding: { x, y: { field: 'lo80', type: 'quantitative' }, y2: { field: 'hi80' } },
      },
      {
        transform: [{ filter: "datum.part === 'observed'" }],
        mark: { type: 'line', color: OBSERVED_COLOR, strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'Online devices', axis: { format: ',d' } },
          tooltip: [
            { field: 'date', type: 'nominal', title: weekly ? 'Week ending' : 'Day (UTC)' },
            { field: 'value', type: 'quantitative', title: 'Observed', format: ',.0f' },
          ],
        },
      },
      {
        transform: [isProj],
        mark: { type: 'line', color: BAND_COLOR, strokeWidth: 2, strokeDash: [6, 3] },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative' },
          tooltip: [
            { field: 'date', type: 'nominal', title: weekly ? 'Week ending' : 'Day (UTC)' },
            { field: 'value', type: 'quantitative', title: 'Projection', format: ',.0f' },
            { field: 'lo80', type: 'quantitative', title: '80% from', format: ',.0f' },
            { field: 'hi80', type: 'quantitative', title: '80% to', format: ',.0f' },
            { field: 'lo95', type: 'quantitative', title: '95% from', format: ',.0f' },
            { field: 'hi95', type: 'quantitative', title: '95% to', format: ',.0f' },
          ],
        },
      },
      ...(widened
        ? [
            {
              transform: [{ filter: "datum.part === 'own'" }],
              mark: { type: 'line', color: BAND_COLOR, strokeWidth: 1, strokeDash: [1, 2] },
              encoding: { x, y: { field: 'value', type: 'quantitative' }, detail: { field: 'bound' } },
            },
          ]
        : []),
      {
        data: { values: [{ date: r.series.lastDate }] },
        mark: { type: 'rule', color: '#888888', strokeDash: [2, 2] },
        encoding: { x },
      },
    ],
  };
}

/** One small panel per model: the last year of history and the model's projection with its 80% band (7-day means). */
export function modelsChart(
  history: { date: string; value: number }[],
  rows: (BandRow & { model: string })[],
  order: string[],
): Record<string, unknown> {
  const context = weeklyMeans(history.slice(-CONTEXT_DAYS));
  const values: Record<string, unknown>[] = [];
  const peaks: number[] = [];
  for (const m of order) {
    for (const h of context) values.push({ model: m, date: h.date, part: 'observed', value: h.value });
    const mine = rows.filter((r) => r.model === m).map(fromBand);
    let peak = 0;
    for (const p of weeklyMeans(mine)) {
      values.push({ model: m, date: p.date, part: 'projection', value: p.value, lo80: p.lo80, hi80: p.hi80 });
      peak = Math.max(peak, p.value);
    }
    peaks.push(peak);
  }
  // One y scale for all panels, set by the history and all projections but the highest one, so
  // that a single runaway model does not flatten the others; what passes the top is clipped.
  const sorted = [...peaks].sort((a, b) => b - a);
  const top = Math.max(
    ...context.map((c) => c.value),
    sorted.length > 2 ? (sorted[1] as number) : (sorted[0] ?? 0),
  );
  const domain = [0, Math.ceil((top * 1.3) / 100) * 100 || 1];
  const x = {
    field: 'date',
    type: 'temporal',
    title: null,
    scale: { type: 'utc' },
    axis: { grid: false, format: '%b %y', labelOverlap: true, tickCount: 3 },
  };
  return {
    $schema: SCHEMA,
    description: 'Each model’s projection with its 80% range, after the last year of history',
    title: {
      text: 'The models side by side',
      subtitle: [
        '7-day means · grey: the last year observed · blue: each model’s projection · band: its own 80% range · one scale for all, clipped at the top',
      ],
    },
    config: chartConfig(),
    data: { values },
    facet: { field: 'model', type: 'nominal', title: null, sort: order },
    columns: 3,
    spec: {
      width: Math.floor((CHART_WIDTH - 80) / 3),
      height: 150,
      layer: [
        {
          transform: [{ filter: "datum.part === 'projection'" }],
          mark: { type: 'area', color: BAND_COLOR, opacity: 0.25, clip: true },
          encoding: {
            x,
            y: { field: 'lo80', type: 'quantitative', scale: { domain } },
            y2: { field: 'hi80' },
          },
        },
        {
          mark: { type: 'line', strokeWidth: 1.5, clip: true },
          encoding: {
            x,
            y: {
              field: 'value',
              type: 'quantitative',
              title: 'Online devices',
              axis: { format: '~s' },
              scale: { domain },
            },
            color: {
              field: 'part',
              type: 'nominal',
              scale: { domain: ['observed', 'projection'], range: ['#999999', BAND_COLOR] },
              legend: null,
            },
          },
        },
      ],
    },
  };
}

/** Backtest MAPE by horizon, one line per model. */
export function backtestChart(summary: BacktestSummary[], order: string[]): Record<string, unknown> {
  const values = summary
    .filter((s) => s.mape !== null)
    .map((s) => ({
      model: s.model,
      horizon: s.horizon,
      mape: Number((s.mape as number).toFixed(3)),
      origins: s.origins,
    }));
  return {
    $schema: SCHEMA,
    description: 'Backtest error (MAPE) by forecast horizon for each model',
    title: {
      text: 'Backtest error by horizon',
      subtitle: ['mean absolute percentage error over the backtest origins · lower is better · log scale'],
    },
    width: CHART_WIDTH - 160,
    height: 220,
    config: chartConfig(),
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'horizon', type: 'ordinal', title: 'Horizon (days)', axis: { labelAngle: 0 } },
      y: { field: 'mape', type: 'quantitative', title: 'MAPE (%)', scale: { type: 'log' } },
      color: { field: 'model', type: 'nominal', title: 'Model', sort: order },
      tooltip: [
        { field: 'model', title: 'Model' },
        { field: 'horizon', title: 'Horizon (days)' },
        { field: 'mape', type: 'quantitative', title: 'MAPE (%)', format: '.2f' },
        { field: 'origins', type: 'quantitative', title: 'Origins' },
      ],
    },
  };
}

const metricCell = (x: number | null, f: (v: number) => string) => num(x === null ? '—' : f(x));

function backtestTable(r: ForecastReport, order: string[]): string {
  const head: Cell[] = [
    'Model',
    { html: 'Horizon (days)', num: true },
    { html: 'Origins', num: true },
    { html: 'MAPE', num: true },
    { html: 'MASE', num: true },
    { html: '80% coverage', num: true },
    { html: '95% coverage', num: true },
  ];
  const rows: Cell[][] = [];
  const sorted = [...r.backtest.summary].sort(
    (a, b) => a.horizon - b.horizon || order.indexOf(a.model) - order.indexOf(b.model),
  );
  for (const s of sorted) {
    const chosen = s.model === r.chosen.model;
    rows.push([
      { html: chosen ? `<b>${esc(s.model)}</b> (chosen)` : esc(s.model) },
      s.horizon,
      s.origins,
      metricCell(s.mape, (v) => `${fmtDec(v)}%`),
      metricCell(s.mase, (v) => v.toFixed(2)),
      metricCell(s.coverage80, fmtPct),
      metricCell(s.coverage95, fmtPct),
    ]);
  }
  return table(head, rows, {
    caption:
      'Backtests: mean over the origins of each horizon (an origin is a past day the model is refitted on)',
  });
}

function modelsTable(r: ForecastReport): string {
  const head: Cell[] = [
    'Model',
    'What it does',
    { html: 'Backtest score', num: true },
    { html: 'Weight', num: true },
    'Status',
  ];
  const rows: Cell[][] = r.models.map((m) => [
    m.name,
    m.label,
    metricCell(m.backtestScore, (v) => v.toFixed(3)),
    num(m.weight > 0 ? fmtPct(m.weight) : '—'),
    m.status === 'ok' ? 'fitted' : `${m.status}: ${m.reason ?? ''}`,
  ]);
  return table(head, rows, {
    caption:
      r.chosen.scoreMeasure === 'relmae'
        ? 'Backtest score: error relative to the drift baseline (geometric mean over the backtest forecasts; below 1 beats it); weight: share in the reported projection'
        : 'Backtest score: mean absolute error over the backtest forecasts; weight: share in the reported projection',
  });
}

function scoreTable(s: ScoreReport): string {
  const head: Cell[] = [
    'Model',
    { html: 'Days', num: true },
    { html: 'MAPE', num: true },
    { html: 'MASE', num: true },
    { html: '80% coverage', num: true },
    { html: '95% coverage', num: true },
    'Last day',
    { html: 'Projected', num: true },
    { html: 'Actual', num: true },
  ];
  const rows: Cell[][] = s.rows
    .filter((x) => x.horizonDays === s.days || x.horizonDays === 90)
    .sort((a, b) => a.horizonDays - b.horizonDays || a.model.localeCompare(b.model))
    .map((x) => [
      { html: x.model === s.chosen ? '<b>reported projection</b> (calibrated ranges)' : esc(x.model) },
      x.horizonDays,
      metricCell(x.mape, (v) => `${fmtDec(v)}%`),
      metricCell(x.mase, (v) => v.toFixed(2)),
      metricCell(x.coverage80, fmtPct),
      metricCell(x.coverage95, fmtPct),
      { html: `<span style="white-space:nowrap">${esc(x.endDate)}</span>` },
      Math.round(x.endForecast),
      Math.round(x.endActual),
    ]);
  return table(head, rows, {
    caption: `Against what really happened: ${s.firstDate} to ${s.lastDate}, from ${s.against.split(/[\\/]/).slice(-2).join('/')}`,
  });
}

const list = (items: string[]) => `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;

/** Section "Projection": only when `fleetpulse forecast` has run on the folder. */
export const forecastSection: SectionBuilder = async (runDir): Promise<ReportSection | undefined> => {
  const jsonPath = join(runDir, FORECAST_FILES.json);
  if (!existsSync(jsonPath)) return undefined;
  const r = readJson<ForecastReport>(jsonPath);
  if (!r?.series?.kind || !r.chosen || !r.backtest || !Array.isArray(r.models)) {
    throw new InputError({ file: jsonPath, reason: 'not a forecast.json written by fleetpulse forecast' });
  }
  const scorePath = join(runDir, FORECAST_FILES.score);
  const score = existsSync(scorePath) ? readJson<ScoreReport>(scorePath) : undefined;
  const band = readBandCsv(join(runDir, FORECAST_FILES.forecast), false);
  const modelRows = readBandCsv(join(runDir, FORECAST_FILES.models), true);
  const series = readDailyColumn(join(runDir, r.series.file));
  const history = series.values
    .map((v, i) => ({ date: dayToIso(series.startDay + i), value: v }))
    .filter((h) => Number.isFinite(h.value));
  const label =
    r.series.kind === 'daily' ? 'online devices per day' : 'devices online in the 28 days ending each day';
  const order = [
    ...r.models.filter((m) => m.status === 'ok').map((m) => m.name),
    ...(r.backtest.summary.some((x) => x.model === 'ensemble') || r.chosen.model === 'ensemble'
      ? ['ensemble']
      : []),
  ];
  const panels = order.filter((m) => modelRows.some((x) => x.model === m));
  const ex = explain(r, score);

  const charts: ChartSpec[] = [
    {
      name: 'forecast_projection',
      title: `Projection of ${label} to ${r.until}`,
      description: `Observed ${label} and the reported projection to ${r.until}, with its 80% and 95% ranges.`,
      spec: projectionChart(
        history,
        band,
        r,
        label,
        modelRows.filter((m) => m.model === r.chosen.model),
      ),
    },
    {
      name: 'forecast_models',
      title: 'The models side by side',
      description:
        'One panel per model: the last year observed and the model’s projection with its 80% range.',
      spec: modelsChart(history, modelRows, panels),
    },
  ];
  if (r.backtest.summary.length) {
    charts.push({
      name: 'forecast_backtest',
      title: 'Backtest error by horizon',
      description: 'Mean absolute percentage error of each model at each backtest horizon.',
      spec: backtestChart(r.backtest.summary, order),
    });
  }

  const parts: string[] = [
    `<p><b>${esc(ex.headline)}</b></p>`,
    '<div data-chart="forecast_projection"></div>',
  ];
  parts.push('<h3>Approach</h3>', ...ex.approach.map((p) => `<p>${esc(p)}</p>`));
  parts.push(modelsTable(r), '<div data-chart="forecast_models"></div>');
  parts.push('<h3>Why this projection</h3>', ...ex.why.map((p) => `<p>${esc(p)}</p>`));
  if (r.backtest.summary.length) {
    parts.push('<div data-chart="forecast_backtest"></div>', backtestTable(r, order));
  } else {
    parts.push('<p class="note">No backtest could be run on this history.</p>');
  }
  if (score) {
    parts.push(
      '<h3>Scored against the real future</h3>',
      `<p>${esc(
        `The projection was compared with ${score.against.split(/[\\/]/).slice(-2).join('/')}, which holds what the fleet then did on ${fmtInt(score.days)} of the projected days. ${
          score.chosenBeatsNaive === null
            ? ''
            : score.chosenBeatsNaive
              ? 'The reported projection beat the drift baseline there.'
              : 'The reported projection did not beat the drift baseline there.'
        }`,
      )}</p>`,
      scoreTable(score),
    );
  }
  if (r.notes.length) parts.push('<h3>Notes on this run</h3>', list(r.notes));
  parts.push('<h3>Assumptions</h3>', list(ex.assumptions));
  parts.push('<h3>What would make it wrong</h3>', list(ex.risks));
  parts.push(
    `<p class="note">${esc(
      `Files: ${FORECAST_FILES.forecast} (the reported projection), ${FORECAST_FILES.models} (every model), ${FORECAST_FILES.backtest} (every backtest score), ${FORECAST_FILES.json} (choice, weights and parameters).`,
    )}</p>`,
  );
  return {
    id: 'forecast',
    title: `Projection to ${r.until}`,
    order: 300,
    html: parts.join('\n'),
    charts,
  };
};
