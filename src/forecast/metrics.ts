/**
 * Forecast accuracy measures. Every function compares a forecast path with
 * the actual values of the same days; null means "undefined here" (no
 * non-zero actual for MAPE, a perfectly flat history for MASE).
 */

/** Mean absolute percentage error, in percent, over the days whose actual is not 0. */
export function mape(actual: number[], forecast: number[]): number | null {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    if (a === 0) continue;
    sum += Math.abs((a - (forecast[i] as number)) / a);
    n++;
  }
  return n === 0 ? null : (100 * sum) / n;
}

/**
 * The MASE scale: the mean absolute error of the seasonal naive forecast
 * (y[t] predicted by y[t - m]) inside the training history. m = 7 for daily
 * data with a weekly cycle; m = 1 when the history is shorter than 3 periods.
 */
export function maseScale(history: number[], m = 7): number | null {
  const period = history.length >= 3 * m ? m : 1;
  let sum = 0;
  let n = 0;
  for (let t = period; t < history.length; t++) {
    sum += Math.abs((history[t] as number) - (history[t - period] as number));
    n++;
  }
  if (n === 0) return null;
  return sum / n;
}

/**
 * Mean absolute scaled error: the forecast's mean absolute error divided by
 * the in-sample seasonal naive error (maseScale). Below 1: better than that
 * naive one-step forecast was inside the history. Null when the scale is 0
 * and the forecast is not exact.
 */
export function mase(actual: number[], forecast: number[], scale: number | null): number | null {
  if (actual.length === 0 || scale === null) return null;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs((actual[i] as number) - (forecast[i] as number));
  const mae = sum / actual.length;
  if (scale === 0) return mae === 0 ? 0 : null;
  return mae / scale;
}

/** Share of days (0..1) whose actual lies inside [lo, hi], bounds included. */
export function coverage(actual: number[], lo: number[], hi: number[]): number | null {
  if (actual.length === 0) return null;
  let inside = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    if (a >= (lo[i] as number) && a <= (hi[i] as number)) inside++;
  }
  return inside / actual.length;
}

/** Mean of the non-null numbers, null when there are none. */
export function meanOf(xs: (number | null | undefined)[]): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}
