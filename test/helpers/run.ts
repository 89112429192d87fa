/** Runs the real pipeline (analyze()) on test inputs and reads its outputs back. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/pipeline/analyze.js';
import type { QualityReport } from '../../src/repair/quality.js';
import type { CountRow } from '../reference/spec-reference.js';
import type { EngineUnderTest } from './engines.js';
import { type CsvForm, dayNumber, tempDir, writeEvents, writeServers } from './fixtures.js';

export const COUNTS_HEADER = 'date,fleet_1_2,fleet_3_9,fleet_10_99,fleet_100_999,fleet_1000_plus,total';

/** Reads daily_online.csv / rolling28_online.csv, checking SPEC section 6's exact shape. */
export function readCounts(path: string): CountRow[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines[0] !== COUNTS_HEADER) throw new Error(`${path}: header is '${lines[0]}'`);
  return lines.slice(1).map((line, i) => {
    const f = line.split(',');
    if (
      f.length !== 7 ||
      !/^\d{4}-\d\d-\d\d$/.test(f[0] as string) ||
      !f.slice(1).every((x) => /^\d+$/.test(x))
    )
      throw new Error(`${path}:${i + 2}: not a count row: '${line}'`);
    const n = f.slice(1).map(Number) as [number, number, number, number, number, number];
    return {
      date: f[0] as string,
      fleet_1_2: n[0],
      fleet_3_9: n[1],
      fleet_10_99: n[2],
      fleet_100_999: n[3],
      fleet_1000_plus: n[4],
      total: n[5],
    };
  });
}

export interface RunInput {
  /** Lines of connectivity_events.csv (no line endings), or a ready file. */
  events: string[] | { path: string };
  servers: string[] | { path: string };
  eventsForm?: CsvForm;
  serversForm?: CsvForm;
  /** --as-of YYYY-MM-DD */
  asOf?: string;
  maxRejects?: number;
}

export interface RunOutput {
  dir: string;
  out: string;
  daily: CountRow[];
  rolling28: CountRow[];
  quality: QualityReport;
}

/** Writes the inputs to a temp folder and runs analyze() with `engine`. */
export async function runAnalyze(engine: EngineUnderTest, input: RunInput): Promise<RunOutput> {
  const dir = tempDir();
  const events = Array.isArray(input.events)
    ? writeEvents(join(dir, 'connectivity_events.csv'), input.events, input.eventsForm)
    : input.events.path;
  const servers = Array.isArray(input.servers)
    ? writeServers(join(dir, 'servers.csv'), input.servers, input.serversForm)
    : input.servers.path;
  const out = join(dir, 'out');
  const eng = engine.open ? await engine.open({ events, servers, maxRejects: input.maxRejects }) : undefined;
  try {
    await analyze({
      events,
      servers,
      out,
      asOfDay: input.asOf === undefined ? undefined : dayNumber(input.asOf),
      maxRejects: input.maxRejects,
      quiet: true,
      engine: eng,
    });
  } finally {
    await eng?.close();
  }
  const quality = JSON.parse(readFileSync(join(out, 'quality.json'), 'utf8')) as QualityReport;
  return {
    dir,
    out,
    daily: readCounts(join(out, 'daily_online.csv')),
    rolling28: readCounts(join(out, 'rolling28_online.csv')),
    quality,
  };
}

export function outputExists(out: string, name: string): boolean {
  return existsSync(join(out, name));
}

/** 'date total' per row, for compact expectations. */
export function totals(rows: CountRow[]): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [r.date, r.total]));
}

/** Rows as compact tuples [date, 1-2, 3-9, 10-99, 100-999, 1000+, total]. */
export function tuples(rows: CountRow[]): [string, number, number, number, number, number, number][] {
  return rows.map((r) => [
    r.date,
    r.fleet_1_2,
    r.fleet_3_9,
    r.fleet_10_99,
    r.fleet_100_999,
    r.fleet_1000_plus,
    r.total,
  ]);
}

/** firings and device_days of every rule counter, without the prose. */
export function ruleCounts(q: QualityReport): Record<string, [number, number]> {
  return Object.fromEntries(Object.entries(q.rules).map(([k, v]) => [k, [v.firings, v.device_days]]));
}
