import { dayToIso } from '../util/time.js';
import { HORIZONS } from './backtest.js';
import { coverage, mape, mase, maseScale } from './metrics.js';
import { readDailyColumn } from './series.js';
import type { Band } from './types.js';

/** One model's accuracy against what really happened after the history. */
export interface RealFutureScore {
  model: string;
  /** Days compared: the first `horizon_days` after the last observed day (or all available). */
  horizonDays: number;
  mape: number | null;
  mase: number | null;
  coverage80: number | null;
  coverage95: number | null;
  /** Projection and actual on the last compared day. */
  endDate: string;
  endForecast: number;
  endActual: number;
}

export interface ScoreReport {
  /** The file the projection was compared with. */
  against: string;
  column: string;
  firstDate: string;
  lastDate: string;
  days: number;
  /** The reported projection's name ('ensemble' or a model). */
  chosen: string;
  rows: RealFutureScore[];
  /** Did the reported projection beat the drift baseline on MASE over the whole compared span? */
  chosenBeatsNaive: boolean | null;
}

/**
 * Compares each forecast path (and the reported one) with the actual series
 * of `file` (daily_online.csv of an analyze of the longer export, or the
 * generator's truth file) on the days after the history's last day.
 */
export function scoreAgainst(
  file: string,
  column: string,
  history: { startDay: number; values: number[] },
  paths: Map<string, Band>,
  chosen: string,
): ScoreReport {
  const truth = readDailyColumn(file, column);
  const lastHist = history.startDay + history.values.length - 1;
  const firstFuture = lastHist + 1;
  const maxLen = Math.max(0, ...[...paths.values()].map((b) => b.yhat.length));
  const actual: number[] = [];
  for (let k = 0; k < maxLen; k++) {
    const v = truth.values[firstFuture + k - truth.startDay];
    if (v === undefined || Number.isNaN(v)) break;
    actual.push(v);
  }
  if (actual.length === 0) {
    throw new Error(
      `${file} has no day after ${dayToIso(lastHist)} (it covers ${dayToIso(truth.startDay)} to ${dayToIso(truth.startDay + truth.values.length - 1)})`,
    );
  }
  const scale = maseScale(history.values);
  const spans = [...HORIZONS.filter((h) => h < actual.length), actual.length];
  const rows: RealFutureScore[] = [];
  for (const [model, band] of paths) {
    for (const h of spans) {
      const len = Math.min(h, band.yhat.length);
      const a = actual.slice(0, len);
      rows.push({
        model,
        horizonDays: len,
        mape: mape(a, band.yhat.slice(0, len)),
        mase: mase(a, band.yhat.slice(0, len), scale),
        coverage80: coverage(a, band.lo80, band.hi80),
        coverage95: coverage(a, band.lo95, band.hi95),
        endDate: dayToIso(firstFuture + len - 1),
        endForecast: band.yhat[len - 1] as number,
        endActual: a[len - 1] as number,
      });
    }
  }
  const whole = (m: string) =>
    rows.find(
      (r) => r.model === m && r.horizonDays === Math.min(actual.length, paths.get(m)?.yhat.length ?? 0),
    );
  const c = whole(chosen);
  const nv = whole('naive');
  const beats = c?.mase != null && nv?.mase != null ? c.mase < nv.mase : null;
  return {
    against: file,
    column,
    firstDate: dayToIso(firstFuture),
    lastDate: dayToIso(firstFuture + actual.length - 1),
    days: actual.length,
    chosen,
    rows,
    chosenBeatsNaive: chosen === 'naive' ? false : beats,
  };
}
