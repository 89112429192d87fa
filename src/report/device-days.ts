import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { InputError } from '../util/errors.js';
import type { CountRow } from './run-folder.js';
import { RUN_FILES } from './run-folder.js';

/** Facts read from device_days.parquet, for the methodology's cross-checks. */
export interface DeviceDayStats {
  rows: number;
  devices: number;
  users: number;
  firstDay?: string;
  lastDay?: string;
  /** Devices owned by more than one user over the window. */
  devicesWithSeveralOwners: number;
  /** Device-days per day, to compare with daily_online.csv's total. */
  perDay: Map<string, number>;
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Reads device_days.parquet with an in-memory DuckDB, or returns undefined when the file is absent. */
export async function readDeviceDayStats(runDir: string): Promise<DeviceDayStats | undefined> {
  const path = join(runDir, RUN_FILES.deviceDays);
  if (!existsSync(path)) return undefined;
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    threads: '2',
  });
  const conn = await instance.connect();
  const src = `read_parquet(${sqlString(path)})`;
  const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS();
  try {
    const [s] = await rows(
      `select count(*) as n, count(distinct device_id) as devices, count(distinct user_id) as users,
              strftime(min(day), '%Y-%m-%d') as first_day, strftime(max(day), '%Y-%m-%d') as last_day
       from ${src}`,
    );
    const [o] = await rows(
      `select count(*) as n from (select device_id from ${src} group by device_id having count(distinct user_id) > 1)`,
    );
    const perDay = new Map<string, number>();
    for (const r of await rows(
      `select strftime(day, '%Y-%m-%d') as d, count(*) as n from ${src} group by day`,
    )) {
      perDay.set(String(r.d), Number(r.n));
    }
    return {
      rows: Number(s?.n ?? 0),
      devices: Number(s?.devices ?? 0),
      users: Number(s?.users ?? 0),
      firstDay: s?.first_day == null ? undefined : String(s.first_day),
      lastDay: s?.last_day == null ? undefined : String(s.last_day),
      devicesWithSeveralOwners: Number(o?.n ?? 0),
      perDay,
    };
  } catch (e) {
    throw new InputError({ file: path, reason: `cannot read: ${(e as Error).message.split('\n')[0]}` });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Days where daily_online.csv's total differs from the device-days in the parquet file. */
export function mismatchedDays(
  daily: CountRow[],
  stats: DeviceDayStats,
): { date: string; csv: number; parquet: number }[] {
  const out: { date: string; csv: number; parquet: number }[] = [];
  const seen = new Set<string>();
  for (const r of daily) {
    seen.add(r.date);
    const p = stats.perDay.get(r.date) ?? 0;
    if (p !== r.total) out.push({ date: r.date, csv: r.total, parquet: p });
  }
  for (const [date, n] of stats.perDay) if (!seen.has(date)) out.push({ date, csv: 0, parquet: n });
  return out.sort((a, b) => a.date.localeCompare(b.date));
}
