import { optimizer } from '@bsull/augurs-prophet-wasmstan';
import { augursProphet } from '../augurs.js';
import { type FittedModel, type ForecastModel, type History, tidyBand, Z80, Z95 } from '../types.js';

const DAY_S = 86_400;
/** Simulated trend paths for the intervals (Prophet's default is 1000; 300 keeps backtests quick). */
const UNCERTAINTY_SAMPLES = 300;

/**
 * Prophet (`@bsull/augurs` with the Stan model compiled to wasm): a piecewise
 * linear trend with automatic changepoints, plus weekly and (with two years
 * of history) yearly Fourier seasonality, multiplicative (a share of the
 * level), fitted by MAP. Its 80% interval is
 * simulated from future trend changes and observation noise; the 95% band is
 * the 80% one widened by z95 / z80 on each side (one fit gives one level).
 */
export const prophetModel: ForecastModel = {
  name: 'prophet',
  label: 'Prophet: piecewise-linear trend with changepoints, weekly and yearly seasonality',
  minHistory: 60,
  fit(history: History): FittedModel {
    const y = history.values;
    if (y.length < 60) throw new Error(`needs at least 60 days, got ${y.length}`);
    const { Prophet } = augursProphet();
    const yearly = y.length >= 730;
    const model = new Prophet({
      optimizer,
      growth: 'linear',
      // The weekly swing grows with the fleet: a share of the level, not a fixed number of devices.
      seasonalityMode: 'multiplicative',
      intervalWidth: 0.8,
      uncertaintySamples: UNCERTAINTY_SAMPLES,
      weeklySeasonality: { type: 'manual', enabled: true },
      yearlySeasonality: { type: 'manual', enabled: yearly },
      dailySeasonality: { type: 'manual', enabled: false },
    });
    const ds = y.map((_, i) => (history.startDay + i) * DAY_S);
    const max = Math.max(...y);
    if (max === 0) throw new Error('the series is all zeros');
    model.fit({ ds, y: Float64Array.from(y) });
    return {
      params: {
        growth: 'linear',
        seasonalityMode: 'multiplicative',
        changepointPriorScale: 0.05,
        nChangepoints: 25,
        weeklySeasonality: true,
        yearlySeasonality: yearly,
        uncertaintySamples: UNCERTAINTY_SAMPLES,
        days: y.length,
      },
      forecast(h: number) {
        const lastDay = history.startDay + y.length - 1;
        const future = { ds: Array.from({ length: h }, (_, k) => (lastDay + k + 1) * DAY_S) };
        const p = model.predict(future).yhat;
        const iv = p.intervals;
        if (!iv) throw new Error('Prophet returned no prediction intervals');
        const widen = Z95 / Z80;
        return tidyBand({
          yhat: p.point,
          lo80: iv.lower,
          hi80: iv.upper,
          lo95: p.point.map((v, i) => v - (v - (iv.lower[i] as number)) * widen),
          hi95: p.point.map((v, i) => v + ((iv.upper[i] as number) - v) * widen),
        });
      },
    };
  },
};
