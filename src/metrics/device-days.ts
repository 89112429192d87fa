import type { Engine } from '../engine/engine.js';
import { loadModel } from '../engine/models.js';

/** device_days.parquet: (device_id, user_id, day), the owner of each online device-day. */
export async function writeDeviceDays(engine: Engine, path: string): Promise<void> {
  await engine.build(loadModel(engine.dialect, 'marts', 'device_days'), {});
  await engine.writeParquet('device_days', path);
}
