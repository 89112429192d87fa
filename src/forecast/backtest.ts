import { dayToIso } from '../util/time.js';
import { coverage, mape, mase, maseScale, meanOf } from './metrics.js';
import { type Band, type ForecastModel, type History, sliceBand, truncateHistory } from './types.js';

/** Forecast horizons evaluated, in days. */
export const HORIZONS = [30, 90, 180, 365] as const;
/** Days between two forecast origins. */
export const ORIGIN_STEP = 30;
/** Origins lie in the last year of history... */
export const ORIGIN_SPAN = 365;
/** ...except that a horizon gets older origins until it has this many (when the history allows). */
export const MIN_ORIGINS = 3;
/** No origin keeps fewer days of training history than this. */
export const MIN_TRAIN = 60;

export interface BacktestPlan {
  /** Training lengths (days of history) of the distinct origins, ascending. */
  origins: number[];
  /** For each horizon, the training lengths of its origins. */
  byHorizon: Map<number, number[]>;
  /** Horizons that could not be evaluated and why. */
  skipped: { horizon: number; reason: string }[];
}

/**
 * Origins every ORIGIN_STEP days back from the end, over the last year; a
 * horizon is evaluated at every origin whose forecast window ends inside the
 * history. A horizon with fewer than MIN_ORIGINS origins there (365 days
 * never fits inside the last year) takes the next older origins on the same
 * 30-day grid, as long as MIN_TRAIN days of training remain.
 */
export function planBacktest(n: number, horizons: readonly number[] = HORIZONS): BacktestPlan {
  const byHorizon = new Map<number, number[]>();
  const skipped: { horizon: number; reason: string }[] = [];
  const all = new Set<number>();
  for (const h of horizons) {
    const list: number[] = [];
    for (let j = 1; ; j++) {
      const len = n - ORIGIN_STEP * j;
      if (len < MIN_TRAIN) break;
      const inLastYear = ORIGIN_STEP * j <= ORIGIN_SPAN;
      if (!inLastYear && list.length >= MIN_ORIGINS) break;
      if (len + h <= n) list.push(len);
    }
    if (list.length === 0) {
      skipped.push({
        horizon: h,
        reason: `needs at least ${MIN_TRAIN + h} days of history (${MIN_TRAIN} to train, ${h} to compare), has ${n}`,
      });
      continue;
    }
    list.sort((a, b) => a - b);
    byHorizon.set(h, list);
    for (const l of list) all.add(l);
  }
  return { origins: [...all].sort((a, b) => a - b), byHorizon, skipped };
}

/** One row of backtest.csv (plus the MAE, used when MASE is undefined). */
export interface BacktestRow {
  model: string;
  origin: string;
  /** Training length of the origin (days). */
  trainDays: number;
  horizon: number;
  mape: number | null;
  mase: number | null;
  mae: number;
  coverage80: number | null;
  coverage95: number | null;
}

export interface BacktestResult {
  plan: BacktestPlan;
  rows: BacktestRow[];
  /** Forecast paths per model and origin (training length), for ensembles. */
  paths: Map<string, Map<number, Band>>;
  /** Models that failed at some origin, with the first reason. */
  failures: { model: string; origin: string; reason: string }[];
  seconds: Record<string, number>;
}

/** Scores one forecast path against the actual values that followed, at one horizon. */
export function scorePath(
  model: string,
  history: History,
  trainDays: number,
  band: Band,
  horizon: number,
): BacktestRow {
  const actual = history.values.slice(trainDays, trainDays + horizon);
  const b = sliceBand(band, horizon);
  let mae = 0;
  for (let i = 0; i < actual.length; i++) mae += Math.abs((actual[i] as number) - (b.yhat[i] as number));
  return {
    model,
    origin: dayToIso(history.startDay + trainDays - 1),
    trainDays,
    horizon,
    mape: mape(actual, b.yhat),
    mase: mase(actual, b.yhat, maseScale(history.values.slice(0, trainDays))),
    mae: actual.length ? mae / actual.length : 0,
    coverage80: coverage(actual, b.lo80, b.hi80),
    coverage95: coverage(actual, b.lo95, b.hi95),
  };
}

/**
 * Fits every model at every origin of the plan on the history known then,
 * forecasts to the longest horizon of that origin and scores each horizon.
 */
export function runBacktest(
  history: History,
  models: ForecastModel[],
  plan: BacktestPlan,
  tick: (fraction: number) => void = () => {},
): BacktestResult {
  const rows: BacktestRow[] = [];
  const paths = new Map<string, Map<number, Band>>();
  const failures: BacktestResult['failures'] = [];
  const seconds: Record<string, number> = {};
  const jobs = plan.origins.length * models.length;
  let done = 0;
  for (const len of plan.origins) {
    const horizons = [...plan.byHorizon.entries()].filter(([, ls]) => ls.includes(len)).map(([h]) => h);
    const maxH = Math.max(...horizons);
    const train = truncateHistory(history, len);
    for (const m of models) {
      done++;
      if (len < m.minHistory) continue;
      const t0 = performance.now();
      try {
        const band = m.fit(train).forecast(maxH);
        const byOrigin = paths.get(m.name) ?? new Map<number, Band>();
        paths.set(m.name, byOrigin);
        byOrigin.set(len, band);
        for (const h of horizons) rows.push(scorePath(m.name, history, len, band, h));
      } catch (e) {
        failures.push({
          model: m.name,
          origin: dayToIso(history.startDay + len - 1),
          reason: (e as Error).message ?? String(e),
        });
      } finally {
        seconds[m.name] = (seconds[m.name] ?? 0) + (performance.now() - t0) / 1000;
        tick(done / jobs);
      }
    }
  }
  return { plan, rows, paths, failures, seconds };
}

/** Per model and horizon: the mean of each measure over the origins. */
export interface BacktestSummary {
  model: string;
  horizon: number;
  origins: number;
  mape: number | null;
  mase: number | null;
  mae: number | null;
  coverage80: number | null;
  coverage95: number | null;
}

export function summarize(rows: BacktestRow[]): BacktestSummary[] {
  const groups = new Map<string, BacktestRow[]>();
  for (const r of rows) {
    const key = `${r.model}\u0000${r.horizon}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const out: BacktestSummary[] = [];
  for (const g of groups.values()) {
    const f = g[0] as BacktestRow;
    out.push({
      model: f.model,
      horizon: f.horizon,
      origins: g.length,
      mape: meanOf(g.map((r) => r.mape)),
      mase: meanOf(g.map((r) => r.mase)),
      mae: meanOf(g.map((r) => r.mae)),
      coverage80: meanOf(g.map((r) => r.coverage80)),
      coverage95: meanOf(g.map((r) => r.coverage95)),
    });
  }
  return out.sort((a, b) => a.horizon - b.horizon || a.model.localeCompare(b.model));
}
