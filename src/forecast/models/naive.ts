import { type FittedModel, type ForecastModel, type History, normalBand } from '../types.js';

/**
 * The baseline every other model must beat: a random walk with drift.
 * Tomorrow is today plus the average daily change over the whole history;
 * the interval is the random walk's, widened for the uncertainty of the
 * drift (Hyndman & Athanasopoulos, FPP3 section 5.5).
 */
export const naiveModel: ForecastModel = {
  name: 'naive',
  label: 'Drift baseline: last value plus the average daily change of the whole history',
  minHistory: 2,
  fit(history: History): FittedModel {
    const y = history.values;
    const n = y.length;
    if (n < 2) throw new Error(`needs at least 2 days, got ${n}`);
    const last = y[n - 1] as number;
    const drift = (last - (y[0] as number)) / (n - 1);
    let ss = 0;
    for (let t = 1; t < n; t++) {
      const e = (y[t] as number) - (y[t - 1] as number) - drift;
      ss += e * e;
    }
    const sigma = n > 2 ? Math.sqrt(ss / (n - 2)) : 0;
    return {
      params: { last, driftPerDay: drift, sigmaDailyChange: sigma, days: n },
      forecast(h: number) {
        const yhat: number[] = [];
        const sd: number[] = [];
        for (let k = 1; k <= h; k++) {
          yhat.push(last + drift * k);
          sd.push(sigma * Math.sqrt(k * (1 + k / (n - 1))));
        }
        return normalBand(yhat, sd);
      },
    };
  },
};
