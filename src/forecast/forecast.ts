import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AtomicOutput } from '../util/atomic-output.js';
import { InputError, UsageError } from '../util/errors.js';
import { createProgress, type Progress } from '../util/progress.js';
import { dayToIso, isoToDay } from '../util/time.js';
import { VERSION } from '../version.js';
import { type BacktestResult, type BacktestRow, planBacktest, runBacktest, summarize } from './backtest.js';
import { applyCalibration, type Calibration, calibrate } from './calibrate.js';
import { DeviceLog, loadDeviceDays } from './devices.js';
import { MODELS } from './models/index.js';
import { type ScoreReport, scoreAgainst } from './score.js';
import { combineBands, type Selection, select } from './select.js';
import { fillGaps, type GapReport, readDailyColumn } from './series.js';
import {
  type Band,
  DEFAULT_UNTIL,
  type FittedModel,
  type ForecastModel,
  type History,
  type SeriesKind,
} from './types.js';

export { DEFAULT_UNTIL };
/** The name of the reported projection (forecast.csv) in forecast_score.json. */
export const REPORTED = 'reported';
/** Histories shorter than this are refused: there is nothing to extrapolate from. */
export const MIN_DAYS = 14;
/** Longest projection accepted, in days. */
export const MAX_HORIZON = 3650;

export const FORECAST_FILES = {
  forecast: 'forecast.csv',
  models: 'forecast_models.csv',
  backtest: 'backtest.csv',
  json: 'forecast.json',
  score: 'forecast_score.json',
} as const;

export interface ForecastOptions {
  /** A run folder written by `fleetpulse analyze`. */
  inDir: string;
  /** Last day to project (YYYY-MM-DD or a day number); default 2019-02-28. */
  until?: string | number;
  series?: SeriesKind;
  quiet?: boolean;
  progress?: Progress;
  /** A daily_online.csv-shaped file of what really happened: writes forecast_score.json. */
  scoreAgainst?: string;
  /** Models to run (tests); default all. */
  models?: ForecastModel[];
}

export interface ModelReport {
  name: string;
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  reason?: string;
  params?: Record<string, unknown>;
  /** Mean backtest score (MASE, or MAE for a flat history), null when not backtested. */
  backtestScore: number | null;
  weight: number;
}

/** The content of forecast.json. */
export interface ForecastReport {
  version: string;
  series: {
    kind: SeriesKind;
    file: string;
    firstDate: string;
    lastDate: string;
    days: number;
    lastValue: number;
    /** Mean of the last 7 observed days (the weekly cycle averaged out). */
    lastWeekMean: number;
    gaps: GapReport;
  };
  until: string;
  horizonDays: number;
  chosen: {
    model: string;
    weights: Record<string, number>;
    reason: string;
    scoreMeasure: string | null;
    /**
     * The reported ranges are the chosen projection's own, widened per horizon
     * bucket until they held 80% / 95% of its backtest days (null: no backtest).
     */
    calibration: Calibration | null;
  };
  backtest: {
    horizons: number[];
    skipped: { horizon: number; reason: string }[];
    origins: Record<string, string[]>;
    summary: ReturnType<typeof summarize>;
    /** The chosen projection's three largest backtest misses (MAPE), to show what widened its ranges. */
    worst: { origin: string; horizon: number; mape: number }[];
    failures: BacktestResult['failures'];
  };
  models: ModelReport[];
  /** Plain-language warnings about this run (short history, gaps, skipped models). */
  notes: string[];
  /** The reported projection on the last day, and averaged over its last 7 days. */
  projection: {
    endDate: string;
    yhat: number;
    lo80: number;
    hi80: number;
    lo95: number;
    hi95: number;
    lastWeekMean: { yhat: number; lo80: number; hi80: number; lo95: number; hi95: number };
  };
  timings: Record<string, number>;
}

export interface ForecastResult {
  dir: string;
  files: string[];
  report: ForecastReport;
  band: Band;
  score?: ScoreReport;
}

/** Day number of --until, or a UsageError (exit 2). */
export function parseUntil(until: string | number | undefined): number {
  if (until === undefined) return isoToDay(DEFAULT_UNTIL) as number;
  if (typeof until === 'number') {
    if (!Number.isInteger(until)) throw new UsageError(`--until: expected a date YYYY-MM-DD, got ${until}`);
    return until;
  }
  const d = isoToDay(until);
  if (d === undefined) throw new UsageError(`--until: expected a date YYYY-MM-DD, got '${until}'`);
  return d;
}

function seriesColumns(kind: SeriesKind): { file: string } {
  return { file: kind === 'daily' ? 'daily_online.csv' : 'rolling28_online.csv' };
}

/**
 * `fleetpulse forecast`: backtest every model on the run folder's history,
 * choose the projection, and write forecast.csv, forecast_models.csv,
 * backtest.csv and forecast.json into the folder (atomically).
 */
export async function forecast(opts: ForecastOptions): Promise<ForecastResult> {
  const t0 = performance.now();
  const kind: SeriesKind = opts.series ?? 'daily';
  if (kind !== 'daily' && kind !== 'rolling28') {
    throw new UsageError(`--series: expected daily or rolling28, got '${String(kind)}'`);
  }
  const untilDay = parseUntil(opts.until);
  const progress = opts.progress ?? createProgress({ quiet: opts.quiet });
  const dir = opts.inDir;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError({ file: dir, reason: 'no such run folder (run fleetpulse analyze first)' });
  }
  const timings: Record<string, number> = {};
  const notes: string[] = [];

  // The history: the projected total, plus the 28-day total the cohort model needs.
  const dailyFile = join(dir, 'daily_online.csv');
  const r28File = join(dir, 'rolling28_online.csv');
  const daily = readDailyColumn(dailyFile);
  const r28 = kind === 'rolling28' || existsSync(r28File) ? readDailyColumn(r28File) : undefined;
  const target = kind === 'daily' ? daily : (r28 as NonNullable<typeof r28>);
  const filled = fillGaps(target.startDay, target.values);
  const n = filled.values.length;
  const endDay = target.startDay + n - 1;
  if (n < MIN_DAYS) {
    throw new InputError({
      file: target.file,
      reason: `only ${n} day(s) of history; a projection needs at least ${MIN_DAYS}`,
    });
  }
  if (untilDay <= endDay) {
    throw new UsageError(
      `--until ${dayToIso(untilDay)} is not after the last observed day ${dayToIso(endDay)}`,
    );
  }
  const horizon = untilDay - endDay;
  if (horizon > MAX_HORIZON) {
    throw new UsageError(
      `--until ${dayToIso(untilDay)} is ${horizon} days out; at most ${MAX_HORIZON} are supported`,
    );
  }
  const gaps = filled.gaps;
  if (gaps.missingDays.length) {
    notes.push(`${gaps.missingDays.length} day(s) missing from ${target.file} were filled by interpolation.`);
  }
  if (gaps.zeroDays.length) {
    notes.push(
      `${gaps.zeroDays.length} day(s) with a total of 0 between busy days were taken for export outages and interpolated.`,
    );
  }
  let rolling28: number[] | undefined;
  if (kind === 'rolling28') rolling28 = filled.values;
  else if (r28 && r28.startDay === target.startDay && r28.values.length === n) {
    rolling28 = fillGaps(r28.startDay, r28.values).values;
  }
  const history: History = { kind, startDay: target.startDay, values: filled.values, rolling28 };

  // Models, and what each one needs.
  const models = opts.models ?? MODELS;
  const reports = new Map<string, ModelReport>();
  for (const m of models) {
    reports.set(m.name, { name: m.name, label: m.label, status: 'ok', backtestScore: null, weight: 0 });
  }
  const usable: ForecastModel[] = [];
  const deviceFile = join(dir, 'device_days.parquet');
  for (const m of models) {
    const rep = reports.get(m.name) as ModelReport;
    if (n < m.minHistory) {
      rep.status = 'skipped';
      rep.reason = `needs at least ${m.minHistory} days of history, has ${n}`;
    } else if (m.name === 'cohort' && !existsSync(deviceFile)) {
      rep.status = 'skipped';
      rep.reason = `${deviceFile} is missing`;
    } else if (m.name === 'cohort' && !rolling28) {
      rep.status = 'skipped';
      rep.reason = `${r28File} is missing or does not cover the same days as ${dailyFile}`;
    } else usable.push(m);
  }
  for (const r of reports.values())
    if (r.status === 'skipped') notes.push(`Model ${r.name} skipped: ${r.reason}.`);

  const plan = planBacktest(n);
  for (const s of plan.skipped) notes.push(`No ${s.horizon}-day backtest: ${s.reason}.`);
  if (plan.byHorizon.size === 0) {
    notes.push(
      `With ${n} days of history no backtest is possible: the projection is the drift baseline, unvalidated; read it as a rough extrapolation.`,
    );
  }

  // Every device's online days (the cohort model), read once; each origin sees them as of its day.
  if (usable.some((m) => m.name === 'cohort')) {
    const data = await progress.stage(
      'read device_days.parquet',
      () => loadDeviceDays(deviceFile),
      (d) => `${d.offsets.length - 1} devices, ${d.days.length} device-days`,
    );
    history.devices = new DeviceLog(data, endDay);
  }

  const tb = performance.now();
  const bt = await progress.stage(
    `backtest ${usable.length} models at ${plan.origins.length} origins`,
    async (bar) => runBacktest(history, usable, plan, bar),
    (r) => `${r.rows.length} scores${r.failures.length ? `, ${r.failures.length} failed fits` : ''}`,
  );
  timings.backtestSeconds = (performance.now() - tb) / 1000;
  for (const [m, s] of Object.entries(bt.seconds)) timings[`backtest_${m}_seconds`] = s;

  const selection: Selection = select(
    history,
    bt,
    usable.map((m) => m.name),
  );
  for (const s of selection.scores) (reports.get(s.model) as ModelReport).backtestScore = s.score;

  // Fit every model on the whole history and project.
  const tf = performance.now();
  const paths = new Map<string, Band>();
  await progress.stage(
    `fit ${usable.length} models, project ${horizon} days`,
    async () => {
      for (const m of usable) {
        const rep = reports.get(m.name) as ModelReport;
        const t = performance.now();
        try {
          const fitted: FittedModel = m.fit(history);
          paths.set(m.name, fitted.forecast(horizon));
          rep.params = fitted.params;
        } catch (e) {
          rep.status = 'failed';
          rep.reason = (e as Error).message ?? String(e);
          notes.push(`Model ${m.name} failed on the full history: ${rep.reason}.`);
        }
        timings[`fit_${m.name}_seconds`] = (performance.now() - t) / 1000;
      }
    },
    () => `${paths.size} projections`,
  );
  timings.fitSeconds = (performance.now() - tf) / 1000;

  // The reported projection.
  let weights = Object.fromEntries(Object.entries(selection.weights).filter(([m]) => paths.has(m)));
  let chosen = selection.chosen;
  let reason = selection.reason;
  if (Object.keys(weights).length === 0) {
    const fallback = paths.has('naive') ? 'naive' : [...paths.keys()][0];
    if (!fallback) throw new Error('no model could be fitted to the history');
    weights = { [fallback]: 1 };
    chosen = fallback;
    reason = `${reason} The selected model failed on the full history, so the projection falls back to ${fallback === 'naive' ? 'the drift baseline' : fallback}.`;
  }
  const wSum = Object.values(weights).reduce((a, b) => a + b, 0);
  for (const k of Object.keys(weights)) weights[k] = (weights[k] as number) / wSum;
  if (Object.keys(weights).length === 1) chosen = Object.keys(weights)[0] as string;
  for (const [m, w] of Object.entries(weights)) (reports.get(m) as ModelReport).weight = w;
  const members = Object.entries(weights);
  const raw =
    members.length === 1
      ? (paths.get(chosen) as Band)
      : combineBands(members.map(([m, w]) => ({ band: paths.get(m) as Band, weight: w })));
  if (chosen === 'ensemble') paths.set('ensemble', raw);
  // The same projection at every backtest origin, to calibrate its ranges on what followed.
  const btPaths = new Map<number, Band>();
  for (const len of plan.origins) {
    const parts = members.map(([m, w]) => ({ band: bt.paths.get(m)?.get(len), weight: w }));
    if (parts.some((x) => !x.band)) continue;
    btPaths.set(
      len,
      members.length === 1
        ? (parts[0]?.band as Band)
        : combineBands(parts as { band: Band; weight: number }[]),
    );
  }
  const calibration = btPaths.size > 0 ? calibrate(history, btPaths) : null;
  const band = calibration ? applyCalibration(raw, calibration) : raw;
  if (!calibration)
    notes.push('The ranges are the model’s own: there was no backtest to check them against.');

  const report: ForecastReport = {
    version: VERSION,
    series: {
      kind,
      file: seriesColumns(kind).file,
      firstDate: dayToIso(target.startDay),
      lastDate: dayToIso(endDay),
      days: n,
      lastValue: filled.values[n - 1] as number,
      lastWeekMean: mean(filled.values.slice(-7)),
      gaps,
    },
    until: dayToIso(untilDay),
    horizonDays: horizon,
    chosen: {
      model: chosen,
      weights,
      reason,
      scoreMeasure: selection.scores[0]?.measure ?? null,
      calibration,
    },
    backtest: {
      horizons: [...plan.byHorizon.keys()],
      skipped: plan.skipped,
      origins: Object.fromEntries(
        [...plan.byHorizon].map(([h, ls]) => [String(h), ls.map((l) => dayToIso(target.startDay + l - 1))]),
      ),
      summary: summarize([...bt.rows, ...selection.ensembleRows]),
      worst: [...bt.rows, ...selection.ensembleRows]
        .filter((x) => x.model === chosen && x.mape !== null)
        .sort((a, b) => (b.mape as number) - (a.mape as number))
        .slice(0, 3)
        .map((x) => ({ origin: x.origin, horizon: x.horizon, mape: x.mape as number })),
      failures: bt.failures,
    },
    models: [...reports.values()],
    notes,
    projection: {
      endDate: dayToIso(untilDay),
      yhat: band.yhat[horizon - 1] as number,
      lo80: band.lo80[horizon - 1] as number,
      hi80: band.hi80[horizon - 1] as number,
      lo95: band.lo95[horizon - 1] as number,
      hi95: band.hi95[horizon - 1] as number,
      lastWeekMean: {
        yhat: mean(band.yhat.slice(-7)),
        lo80: mean(band.lo80.slice(-7)),
        hi80: mean(band.hi80.slice(-7)),
        lo95: mean(band.lo95.slice(-7)),
        hi95: mean(band.hi95.slice(-7)),
      },
    },
    timings,
  };

  let score: ScoreReport | undefined;
  if (opts.scoreAgainst) {
    try {
      const scored = new Map(paths);
      scored.set(REPORTED, band);
      score = scoreAgainst(opts.scoreAgainst, 'total', history, scored, REPORTED);
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError({ file: opts.scoreAgainst, reason: (e as Error).message });
    }
  }
  report.timings.totalSeconds = (performance.now() - t0) / 1000;

  const out = new AtomicOutput(dir, FORECAST_FILES.json);
  try {
    writeFileSync(out.path(FORECAST_FILES.forecast), bandCsv(band, endDay));
    writeFileSync(out.path(FORECAST_FILES.models), modelsCsv(paths, endDay));
    writeFileSync(out.path(FORECAST_FILES.backtest), backtestCsv([...bt.rows, ...selection.ensembleRows]));
    if (score) writeFileSync(out.path(FORECAST_FILES.score), `${JSON.stringify(score, roundJson, 2)}\n`);
    writeFileSync(out.path(FORECAST_FILES.json), `${JSON.stringify(report, roundJson, 2)}\n`);
    const files = out.commit();
    // A score left by an earlier run would describe another projection.
    if (!score) rmSync(join(dir, FORECAST_FILES.score), { force: true });
    return { dir, files, report, band, score };
  } finally {
    out.abort();
  }
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}

/** Rounds numbers in JSON output to 6 significant digits. */
function roundJson(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)) {
    return Number(value.toPrecision(6));
  }
  return value;
}

const num = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 10) / 10) : '');
const metric = (x: number | null) => (x === null ? '' : String(Number(x.toPrecision(6))));

function bandRows(b: Band, endDay: number, prefix = ''): string[] {
  return b.yhat.map(
    (y, i) =>
      `${prefix}${dayToIso(endDay + i + 1)},${num(y)},${num(b.lo80[i] as number)},${num(b.hi80[i] as number)},${num(b.lo95[i] as number)},${num(b.hi95[i] as number)}`,
  );
}

export function bandCsv(b: Band, endDay: number): string {
  return `${['date,yhat,lo80,hi80,lo95,hi95', ...bandRows(b, endDay)].join('\n')}\n`;
}

export function modelsCsv(paths: Map<string, Band>, endDay: number): string {
  const lines = ['model,date,yhat,lo80,hi80,lo95,hi95'];
  for (const [m, b] of paths) lines.push(...bandRows(b, endDay, `${m},`));
  return `${lines.join('\n')}\n`;
}

export function backtestCsv(rows: BacktestRow[]): string {
  const lines = ['model,origin,horizon_days,mape,mase,coverage80,coverage95'];
  for (const r of rows) {
    lines.push(
      [
        r.model,
        r.origin,
        r.horizon,
        metric(r.mape),
        metric(r.mase),
        metric(r.coverage80),
        metric(r.coverage95),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
