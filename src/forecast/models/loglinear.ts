import { ols, quad } from '../ols.js';
import { type FittedModel, type ForecastModel, type History, Z80, Z95 } from '../types.js';

/** Days of history the trend is fitted on (the most recent ones). */
export const LOGLINEAR_WINDOW = 365;

/** Weekday index 0..6 of a day number. */
export function weekday(day: number): number {
  return ((day % 7) + 7) % 7;
}

/**
 * Constant growth rate: log(1 + y) = a + b t + weekday effect, fitted by
 * least squares on the last year, extrapolated. The residuals are treated as
 * an AR(1) process: the forecast starts from where the last residual left the
 * line and decays back to it, and the trend's uncertainty is widened by the
 * residuals' autocorrelation (an effective sample size n(1-rho)/(1+rho)).
 */
export const loglinearModel: ForecastModel = {
  name: 'loglinear',
  label: 'Log-linear trend: constant growth rate with a weekday effect, fitted on the last year',
  minHistory: 14,
  fit(history: History): FittedModel {
    const all = history.values;
    if (all.length < 14) throw new Error(`needs at least 14 days, got ${all.length}`);
    const w = Math.min(LOGLINEAR_WINDOW, all.length);
    const off = all.length - w;
    const useWeekdays = w >= 21;
    const row = (i: number): number[] => {
      // Centred time keeps the intercept and slope nearly uncorrelated.
      const r = [1, (i - (w - 1) / 2) / 365];
      if (useWeekdays) {
        const d = weekday(history.startDay + off + i);
        for (let k = 1; k < 7; k++) r.push(d === k ? 1 : 0);
      }
      return r;
    };
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < w; i++) {
      x.push(row(i));
      y.push(Math.log1p(all[off + i] as number));
    }
    const fit = ols(x, y);
    const nEffFactor = (1 + fit.rho) / (1 - fit.rho);
    const lastResidual = fit.residuals[w - 1] ?? 0;
    const growthPerYear = Math.expm1(fit.beta[1] ?? 0);
    return {
      params: {
        windowDays: w,
        growthPerYear,
        weekdayEffects: useWeekdays,
        residualSd: Math.sqrt(fit.sigma2),
        residualAutocorrelation: fit.rho,
      },
      forecast(h: number) {
        const out = {
          yhat: [] as number[],
          lo80: [] as number[],
          hi80: [] as number[],
          lo95: [] as number[],
          hi95: [] as number[],
        };
        for (let k = 1; k <= h; k++) {
          const xr = row(w - 1 + k);
          const decay = fit.rho ** k;
          const mu = xr.reduce((s, v, j) => s + v * (fit.beta[j] as number), 0) + decay * lastResidual;
          const v = fit.sigma2 * (1 - decay * decay) + fit.sigma2 * quad(fit.xtxInv, xr) * nEffFactor;
          const sd = Math.sqrt(Math.max(0, v));
          const back = (z: number) => Math.max(0, Math.expm1(mu + z * sd));
          out.yhat.push(back(0));
          out.lo80.push(back(-Z80));
          out.hi80.push(back(Z80));
          out.lo95.push(back(-Z95));
          out.hi95.push(back(Z95));
        }
        return out;
      },
    };
  },
};
