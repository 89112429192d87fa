import type { ForecastModel } from '../types.js';
import { cohortModel } from './cohort.js';
import { loglinearModel } from './loglinear.js';
import { mstlModel } from './mstl.js';
import { naiveModel } from './naive.js';
import { prophetModel } from './prophet.js';

/** Every projection model, the baseline first. */
export const MODELS: ForecastModel[] = [naiveModel, loglinearModel, mstlModel, prophetModel, cohortModel];

export { cohortModel, loglinearModel, mstlModel, naiveModel, prophetModel };
