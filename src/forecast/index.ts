export {
  DEFAULT_UNTIL,
  FORECAST_FILES,
  type ForecastOptions,
  type ForecastReport,
  type ForecastResult,
  forecast,
} from './forecast.js';
export type { ScoreReport } from './score.js';
export type { Band, SeriesKind } from './types.js';
