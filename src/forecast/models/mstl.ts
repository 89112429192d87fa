import { augursMstl } from '../augurs.js';
import { type FittedModel, type ForecastModel, type History, tidyBand } from '../types.js';

/**
 * Seasonal model with the weekly cycle: MSTL (repeated STL decomposition)
 * removes a period-7 seasonal component, AutoETS (`@bsull/augurs`) picks and
 * fits an exponential-smoothing model (level, possibly a damped trend) to the
 * rest, and the weekly pattern is added back to the forecast. AutoETS alone
 * has no seasonal models in this library, hence MSTL.
 */
export const mstlModel: ForecastModel = {
  name: 'mstl',
  label: 'MSTL + AutoETS: weekly cycle removed by STL, exponential smoothing on the rest',
  minHistory: 28,
  fit(history: History): FittedModel {
    const y = history.values;
    if (y.length < 28) throw new Error(`needs at least 28 days (4 weekly cycles), got ${y.length}`);
    const { MSTL } = augursMstl();
    const model = MSTL.ets([7]);
    model.fit(Float64Array.from(y));
    return {
      params: { periods: [7], trendModel: 'AutoETS (non-seasonal, chosen by AICc)', days: y.length },
      forecast(h: number) {
        const p80 = model.predict(h, 0.8);
        const p95 = model.predict(h, 0.95);
        if (!p80.intervals || !p95.intervals) throw new Error('MSTL returned no prediction intervals');
        return tidyBand({
          yhat: p80.point,
          lo80: p80.intervals.lower,
          hi80: p80.intervals.upper,
          lo95: p95.intervals.lower,
          hi95: p95.intervals.upper,
        });
      },
    };
  },
};
