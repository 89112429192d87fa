/**
 * Synthetic run folders for the forecast tests: a fleet whose devices arrive,
 * go online on some days and eventually stop, written as `fleetpulse analyze`
 * would (daily_online.csv, rolling28_online.csv, device_days.parquet).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tempDir } from './helpers/fixtures.js';

const HEADER = 'date,fleet_1_2,fleet_3_9,fleet_10_99,fleet_100_999,fleet_1000_plus,total';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function iso(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export function dayOf(isoDate: string): number {
  return Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000;
}

/** Writes a daily-table CSV with the total in every row (buckets: all in 1-2). */
export function writeCounts(file: string, startDay: number, totals: (number | null)[]): void {
  const lines = [HEADER];
  totals.forEach((v, i) => {
    if (v === null) return; // a missing day
    lines.push(`${iso(startDay + i)},${v},0,0,0,0,${v}`);
  });
  writeFileSync(file, `${lines.join('\n')}\n`);
}

export interface FleetSpec {
  startDay: number;
  days: number;
  /** New devices per day on day i. */
  arrivals: (i: number) => number;
  /** Mean lifetime in days (exponential). */
  meanLife: number;
  /** Chance of being online on a weekday / a weekend day while alive. */
  pWeekday: number;
  pWeekend: number;
  seed: number;
  /** Devices already there on the first day. */
  initial?: number;
}

export interface Fleet {
  startDay: number;
  daily: number[];
  rolling28: number[];
  /** device_id, user_id, day number */
  deviceDays: [number, number, number][];
}

/** Simulates a fleet day by day; the same seed gives the same fleet. */
export function simulateFleet(spec: FleetSpec): Fleet {
  const rnd = mulberry32(spec.seed);
  const n = spec.days;
  const daily = new Array<number>(n).fill(0);
  const cover = new Array<number>(n + 1).fill(0);
  const deviceDays: [number, number, number][] = [];
  let id = 0;
  const addDevice = (firstIdx: number, life: number) => {
    const dev = id++;
    const user = Math.floor(dev / 3);
    let coveredTo = -1;
    const lastIdx = firstIdx + life;
    for (let i = Math.max(0, firstIdx); i <= lastIdx && i < n; i++) {
      const wd = (((spec.startDay + i) % 7) + 7) % 7;
      const p = wd === 2 || wd === 3 ? spec.pWeekend : spec.pWeekday;
      if (i !== firstIdx && i !== lastIdx && rnd() > p) continue;
      daily[i] = (daily[i] as number) + 1;
      deviceDays.push([dev, user, spec.startDay + i]);
      const from = Math.max(i, coveredTo + 1);
      const to = Math.min(n - 1, i + 27);
      if (from <= to) {
        cover[from] = (cover[from] as number) + 1;
        cover[to + 1] = (cover[to + 1] as number) - 1;
        coveredTo = to;
      }
    }
  };
  const expLife = () => Math.floor(-Math.log(1 - rnd()) * spec.meanLife);
  for (let k = 0; k < (spec.initial ?? 0); k++) addDevice(-Math.floor(rnd() * spec.meanLife), expLife());
  for (let i = 0; i < n; i++) {
    const lam = spec.arrivals(i);
    // Poisson by inversion (small means) or a rounded normal (large ones).
    let count: number;
    if (lam < 30) {
      const l = Math.exp(-lam);
      let p = 1;
      count = -1;
      do {
        count++;
        p *= rnd();
      } while (p > l);
    } else {
      const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
      count = Math.max(0, Math.round(lam + Math.sqrt(lam) * z));
    }
    for (let k = 0; k < count; k++) addDevice(i, expLife());
  }
  const rolling28: number[] = [];
  let run = 0;
  for (let i = 0; i < n; i++) {
    run += cover[i] as number;
    rolling28.push(run);
  }
  return { startDay: spec.startDay, daily, rolling28, deviceDays };
}

/** Writes a fleet as an analyze run folder and returns the folder. */
export async function writeRunFolder(fleet: Fleet, dir?: string): Promise<string> {
  const out = dir ?? tempDir('fleetpulse-fc-');
  mkdirSync(out, { recursive: true });
  writeCounts(join(out, 'daily_online.csv'), fleet.startDay, fleet.daily);
  writeCounts(join(out, 'rolling28_online.csv'), fleet.startDay, fleet.rolling28);
  await writeDeviceDays(join(out, 'device_days.parquet'), fleet.deviceDays);
  return out;
}

export async function writeDeviceDays(file: string, rows: [number, number, number][]): Promise<void> {
  const csv = `${file}.csv`;
  writeFileSync(
    csv,
    `device_id,user_id,day\n${rows.map((r) => `${r[0]},${r[1]},${iso(r[2])}`).join('\n')}\n`,
  );
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  await conn.run(
    `COPY (select device_id::bigint as device_id, user_id::bigint as user_id, day::date as day from read_csv('${csv}', header=true, columns={'device_id':'BIGINT','user_id':'BIGINT','day':'DATE'}) order by day, device_id) TO '${file}' (FORMAT parquet)`,
  );
  conn.closeSync();
  inst.closeSync();
  rmSync(csv);
}
