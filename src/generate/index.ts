/** The synthetic export with ground truth: `fleetpulse generate`, and the programmatic entry for demo and bench. */

export { DEFAULT_UNTIL_DAY, FIRST_DAY, MAX_UNTIL_DAY, SNAPSHOT_DAY } from './calendar.js';
export {
  GENERATE_DEFAULTS,
  GENERATE_FILES,
  type GenerateOptions,
  type GenerateResult,
  type GenerateSummary,
  generate,
  MAX_SCALE,
} from './generate.js';
