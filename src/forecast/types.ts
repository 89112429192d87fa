/**
 * The common shape of every projection model: fit on a history of daily
 * values, then forecast h days ahead with 80% and 95% intervals.
 */

import type { DeviceLog } from './devices.js';

/** The default last day to project: a year after the production sample ends. */
export const DEFAULT_UNTIL = '2019-02-28';

/** Which total is projected: the daily online count or the 28-day one. */
export type SeriesKind = 'daily' | 'rolling28';

/** Everything a model may learn from: known up to and including the last day. */
export interface History {
  kind: SeriesKind;
  /** Day number of values[0]; values[i] is day startDay + i. */
  startDay: number;
  /** The projected total, one value per day, gaps already filled. */
  values: number[];
  /** The rolling 28-day total over the same days (the cohort model maps it to the daily one). */
  rolling28?: number[];
  /** Every device's online days, as known on the last day (cohort model). */
  devices?: DeviceLog;
}

/** A forecast path with its intervals, index 0 = the day after the history. */
export interface Band {
  yhat: number[];
  lo80: number[];
  hi80: number[];
  lo95: number[];
  hi95: number[];
}

export interface FittedModel {
  /** Forecast for days 1..h after the history's last day. */
  forecast(h: number): Band;
  /** What was fitted, for forecast.json (plain JSON values). */
  params: Record<string, unknown>;
}

export interface ForecastModel {
  /** Short id used in the CSV files: naive, loglinear, mstl, prophet, cohort. */
  name: string;
  /** One line for people. */
  label: string;
  /** The shortest history (days) this model accepts. */
  minHistory: number;
  /** Throws with a plain message when the history cannot be fitted. */
  fit(history: History): FittedModel;
}

/** z-scores of the central 80% and 95% normal intervals. */
export const Z80 = 1.2815515655446004;
export const Z95 = 1.959963984540054;

/** A band from a point path and a standard deviation per step (normal errors), floored at 0. */
export function normalBand(yhat: number[], sd: number[]): Band {
  const at = (z: number, sign: number) => yhat.map((y, i) => Math.max(0, y + sign * z * (sd[i] ?? 0)));
  return {
    yhat: yhat.map((y) => Math.max(0, y)),
    lo80: at(Z80, -1),
    hi80: at(Z80, 1),
    lo95: at(Z95, -1),
    hi95: at(Z95, 1),
  };
}

/** Clamps a band to counts: non-negative and ordered lo95 <= lo80 <= yhat <= hi80 <= hi95. */
export function tidyBand(b: Band): Band {
  const n = b.yhat.length;
  const out: Band = { yhat: [], lo80: [], hi80: [], lo95: [], hi95: [] };
  for (let i = 0; i < n; i++) {
    const y = Math.max(0, b.yhat[i] ?? 0);
    const lo80 = Math.min(y, Math.max(0, b.lo80[i] ?? y));
    const hi80 = Math.max(y, b.hi80[i] ?? y);
    out.yhat.push(y);
    out.lo80.push(lo80);
    out.hi80.push(hi80);
    out.lo95.push(Math.min(lo80, Math.max(0, b.lo95[i] ?? lo80)));
    out.hi95.push(Math.max(hi80, b.hi95[i] ?? hi80));
  }
  return out;
}

/** The first h steps of a band. */
export function sliceBand(b: Band, h: number): Band {
  return {
    yhat: b.yhat.slice(0, h),
    lo80: b.lo80.slice(0, h),
    hi80: b.hi80.slice(0, h),
    lo95: b.lo95.slice(0, h),
    hi95: b.hi95.slice(0, h),
  };
}

/** A history cut after `n` days (what was known on day startDay + n - 1). */
export function truncateHistory(h: History, n: number): History {
  return {
    kind: h.kind,
    startDay: h.startDay,
    values: h.values.slice(0, n),
    rolling28: h.rolling28?.slice(0, n),
    devices: h.devices?.asOf(h.startDay + n - 1),
  };
}
