import { existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { InputError } from '../util/errors.js';

/**
 * Every device's online days, from device_days.parquet: device k's days are
 * days[offsets[k] .. offsets[k+1]), ascending day numbers.
 */
export interface DeviceDays {
  days: Int32Array;
  offsets: Int32Array;
}

/**
 * The devices as known on day `cut`: nothing after it is visible, so a
 * backtest origin sees exactly what an analyze run with --as-of would.
 */
export class DeviceLog {
  constructor(
    private readonly data: DeviceDays,
    readonly cut: number,
  ) {}

  get devices(): number {
    return this.data.offsets.length - 1;
  }

  /** First online day of device k, or -1 when it was first seen after the cut. */
  first(k: number): number {
    const d = this.data.days[this.data.offsets[k] as number] as number;
    return d <= this.cut ? d : -1;
  }

  /** Latest online day of device k on or before min(t, cut), or -1 when none. */
  lastOnOrBefore(k: number, t: number): number {
    const limit = Math.min(t, this.cut);
    const days = this.data.days;
    let lo = this.data.offsets[k] as number;
    let hi = (this.data.offsets[k + 1] as number) - 1;
    if (lo > hi || (days[lo] as number) > limit) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((days[mid] as number) <= limit) lo = mid;
      else hi = mid - 1;
    }
    return days[lo] as number;
  }

  /** The same devices as known on an earlier day. */
  asOf(cut: number): DeviceLog {
    return new DeviceLog(this.data, Math.min(cut, this.cut));
  }
}

/** Builds DeviceDays from (device, day) pairs in any order (tests, small inputs). */
export function deviceDaysFrom(pairs: [number, number][]): DeviceDays {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const days: number[] = [];
  const offsets: number[] = [0];
  let prevDev: number | undefined;
  let prevDay: number | undefined;
  for (const [dev, day] of sorted) {
    if (dev === prevDev && day === prevDay) continue;
    if (prevDev !== undefined && dev !== prevDev) offsets.push(days.length);
    days.push(day);
    prevDev = dev;
    prevDay = day;
  }
  if (days.length) offsets.push(days.length);
  return { days: Int32Array.from(days), offsets: Int32Array.from(offsets) };
}

/** Reads device_days.parquet (device_id, user_id, day) into DeviceDays. */
export async function loadDeviceDays(path: string): Promise<DeviceDays> {
  if (!existsSync(path)) throw new InputError({ file: path, reason: 'no such file' });
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  const file = `'${path.replaceAll("'", "''")}'`;
  try {
    const run = async (sql: string) => {
      try {
        return await conn.run(sql);
      } catch (e) {
        throw new InputError({
          file: path,
          reason: `cannot read as a device_id,user_id,day Parquet file (${String((e as Error)?.message ?? e).split('\n')[0]})`,
        });
      }
    };
    // Distinct (device, day): a device counts once per day whatever its owner.
    await run(
      `create table dd as select distinct device_id, cast(day - date '1970-01-01' as integer) as d from read_parquet(${file})`,
    );
    const counts = await run(
      'select cast(count(*) as integer) as n from dd group by device_id order by device_id',
    );
    const sizes: number[] = [];
    for (;;) {
      const ch = await counts.fetchChunk();
      if (!ch || ch.rowCount === 0) break;
      const v = ch.getColumnVector(0);
      for (let i = 0; i < ch.rowCount; i++) sizes.push(v.getItem(i) as number);
    }
    const offsets = new Int32Array(sizes.length + 1);
    for (let k = 0; k < sizes.length; k++) offsets[k + 1] = (offsets[k] as number) + (sizes[k] as number);
    const days = new Int32Array(offsets[sizes.length] as number);
    const res = await run('select d from dd order by device_id, d');
    let n = 0;
    for (;;) {
      const ch = await res.fetchChunk();
      if (!ch || ch.rowCount === 0) break;
      const v = ch.getColumnVector(0);
      for (let i = 0; i < ch.rowCount; i++) days[n++] = v.getItem(i) as number;
    }
    return { days, offsets };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
