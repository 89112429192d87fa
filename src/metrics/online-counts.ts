import type { Engine, ProgressSink } from '../engine/engine.js';
import { loadModel } from '../engine/models.js';
import { type Window, windowParams } from '../repair/clean-view.js';

/** The output header of SPEC section 6. */
export const ONLINE_COUNTS_HEADER =
  'date,fleet_1_2,fleet_3_9,fleet_10_99,fleet_100_999,fleet_1000_plus,total';

/** Fleet sizes, bucket counts and the two Task 1 tables (SPEC 4 and 5). */
export async function buildOnlineCounts(engine: Engine, w: Window, progress?: ProgressSink): Promise<void> {
  const p = windowParams(w);
  const models: [string, 'intermediate' | 'marts'][] = [
    ['int_user_fleet_daily', 'intermediate'],
    ['int_user_fleet_rolling28', 'intermediate'],
    ['int_fleet_buckets', 'intermediate'],
    ['daily_online', 'marts'],
    ['rolling28_online', 'marts'],
  ];
  for (const [i, [name, layer]] of models.entries()) {
    await engine.build(loadModel(engine.dialect, layer, name), p);
    progress?.((i + 1) / models.length);
  }
}

export async function writeOnlineCounts(
  engine: Engine,
  paths: { daily: string; rolling28: string },
): Promise<void> {
  await engine.writeCsv('daily_online', paths.daily);
  await engine.writeCsv('rolling28_online', paths.rolling28);
}
