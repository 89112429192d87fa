import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { QualityReport, RuleCounter } from '../repair/quality.js';
import { InputError } from '../util/errors.js';
import { isoToDay } from '../util/time.js';
import { BUCKETS, COUNT_COLUMNS } from './buckets.js';

/** The files the report reads from a run folder (written by `analyze`, or the generator's truth/). */
export const RUN_FILES = {
  daily: 'daily_online.csv',
  rolling28: 'rolling28_online.csv',
  quality: 'quality.json',
  deviceDays: 'device_days.parquet',
  repairsByServer: 'repairs_by_server.csv',
  rejects: 'rejects.csv',
  truthDir: 'truth',
} as const;

/** One row of daily_online.csv / rolling28_online.csv. */
export type CountRow = { date: string; total: number } & Record<(typeof BUCKETS)[number]['key'], number>;

export type CountKind = 'daily' | 'rolling28';

/** A run folder must be a folder; a missing one is bad input (exit 3). */
export function requireRunDir(dir: string): void {
  if (!existsSync(dir)) throw new InputError({ file: dir, reason: 'no such folder' });
  if (!statSync(dir).isDirectory()) throw new InputError({ file: dir, reason: 'not a folder' });
}

function readRequired(path: string, hint: string): string {
  if (!existsSync(path)) throw new InputError({ file: path, reason: `missing (${hint})` });
  if (statSync(path).isDirectory()) throw new InputError({ file: path, reason: 'is a folder, not a file' });
  return readFileSync(path, 'utf8');
}

const ANALYZE_HINT = 'run `fleetpulse analyze --out DIR` first';

/** RFC 4180 CSV: quoted fields, doubled quotes, LF or CRLF. Returns rows with their 1-based line numbers. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else field += c;
    i++;
  }
  if (field !== '' || fields.length > 0) endRow();
  return rows;
}

/** Reads and checks a daily_online.csv-shaped file: exact header, ISO days ascending, integers, total = sum. */
export function readCountsFile(path: string, hint = ANALYZE_HINT): CountRow[] {
  const rows = parseCsv(readRequired(path, hint));
  const header = rows[0];
  if (!header) throw new InputError({ file: path, reason: 'empty file' });
  if (header.fields.join(',') !== COUNT_COLUMNS.join(',')) {
    throw new InputError({
      file: path,
      line: 1,
      field: 'header',
      reason: `expected '${COUNT_COLUMNS.join(',')}'`,
      text: header.fields.join(','),
    });
  }
  const out: CountRow[] = [];
  let prevDay = -Infinity;
  for (const { line, fields } of rows.slice(1)) {
    if (fields.length !== COUNT_COLUMNS.length) {
      throw new InputError({
        file: path,
        line,
        field: 'line',
        reason: `expected ${COUNT_COLUMNS.length} fields, found ${fields.length}`,
        text: fields.join(','),
      });
    }
    const date = fields[0] as string;
    const day = isoToDay(date);
    if (day === undefined)
      throw new InputError({ file: path, line, field: 'date', reason: 'bad date', text: date });
    if (day <= prevDay) {
      throw new InputError({
        file: path,
        line,
        field: 'date',
        reason: 'days not strictly ascending',
        text: date,
      });
    }
    prevDay = day;
    const row: Record<string, number | string> = { date };
    COUNT_COLUMNS.slice(1).forEach((col, j) => {
      const text = fields[j + 1] as string;
      if (!/^\d+$/.test(text))
        throw new InputError({ file: path, line, field: col, reason: 'bad count', text });
      row[col] = Number(text);
    });
    const sum = BUCKETS.reduce((s, b) => s + (row[b.key] as number), 0);
    if (sum !== row.total) {
      throw new InputError({
        file: path,
        line,
        field: 'total',
        reason: `total is not the sum of the buckets (${sum})`,
        text: String(row.total),
      });
    }
    out.push(row as CountRow);
  }
  if (out.length === 0) throw new InputError({ file: path, reason: 'no rows after the header' });
  return out;
}

export function readCounts(runDir: string, kind: CountKind): CountRow[] {
  return readCountsFile(join(runDir, kind === 'daily' ? RUN_FILES.daily : RUN_FILES.rolling28));
}

/** The generator's truth/ next to a run, or undefined when the folder is absent. */
export function readTruth(runDir: string): { daily: CountRow[]; rolling28: CountRow[] } | undefined {
  const dir = join(runDir, RUN_FILES.truthDir);
  if (!existsSync(dir)) return undefined;
  const hint = 'truth/ must hold the generator’s daily_online.csv and rolling28_online.csv';
  return {
    daily: readCountsFile(join(dir, RUN_FILES.daily), hint),
    rolling28: readCountsFile(join(dir, RUN_FILES.rolling28), hint),
  };
}

function check(path: string, ok: boolean, field: string, expected: string): void {
  if (!ok) throw new InputError({ file: path, reason: `field '${field}': expected ${expected}` });
}

const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** quality.json, with the fields the report uses checked (a clear exit 3 on a missing or odd one). */
export function readQuality(runDir: string): QualityReport {
  const path = join(runDir, RUN_FILES.quality);
  const text = readRequired(path, ANALYZE_HINT);
  let q: Record<string, unknown>;
  try {
    q = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new InputError({ file: path, reason: `not valid JSON: ${(e as Error).message}` });
  }
  check(path, typeof q === 'object' && q !== null && !Array.isArray(q), '(top level)', 'an object');
  for (const f of ['as_of', 'first_event', 'last_event', 'as_of_source']) {
    check(path, typeof q[f] === 'string', f, 'a string');
  }
  for (const f of [
    'days',
    'devices',
    'users_with_online_events',
    'intervals',
    'clamped_intervals',
    'device_days',
    'device_days_repaired_only',
    'unknown_server_events',
    'unknown_servers',
  ]) {
    check(path, isCount(q[f]), f, 'a whole number >= 0');
  }
  const inputs = q.inputs as Record<string, Record<string, unknown>> | undefined;
  check(
    path,
    typeof inputs?.events === 'object' && typeof inputs?.servers === 'object',
    'inputs',
    'events and servers',
  );
  for (const side of ['events', 'servers'] as const) {
    for (const f of ['rows_read', 'rows_used', 'rows_rejected']) {
      check(path, isCount(inputs?.[side]?.[f]), `inputs.${side}.${f}`, 'a whole number >= 0');
    }
  }
  const rules = q.rules as Record<string, RuleCounter> | undefined;
  check(path, typeof rules === 'object' && rules !== null, 'rules', 'an object');
  for (const [name, r] of Object.entries(rules ?? {})) {
    check(
      path,
      typeof r?.meaning === 'string' && isCount(r.firings) && isCount(r.device_days),
      `rules.${name}`,
      '{meaning, firings, device_days}',
    );
  }
  return q as unknown as QualityReport;
}

/** repairs_by_server.csv (optional): one row per server with rule firings. */
export interface ServerRepairs {
  server_id: string;
  known_server: boolean;
  counts: Record<string, number>;
}

export function readRepairsByServer(
  runDir: string,
): { columns: string[]; rows: ServerRepairs[] } | undefined {
  const path = join(runDir, RUN_FILES.repairsByServer);
  if (!existsSync(path)) return undefined;
  const rows = parseCsv(readFileSync(path, 'utf8'));
  const header = rows[0]?.fields ?? [];
  if (header[0] !== 'server_id' || header[1] !== 'known_server') {
    throw new InputError({
      file: path,
      line: 1,
      field: 'header',
      reason: "expected 'server_id,known_server,...'",
      text: header.join(','),
    });
  }
  const columns = header.slice(2);
  const out = rows.slice(1).map(({ line, fields }) => {
    const counts: Record<string, number> = {};
    columns.forEach((c, j) => {
      const text = fields[j + 2] ?? '';
      if (!/^\d+$/.test(text))
        throw new InputError({ file: path, line, field: c, reason: 'bad count', text });
      counts[c] = Number(text);
    });
    return { server_id: fields[0] ?? '', known_server: fields[1] === 'true', counts };
  });
  return { columns, rows: out };
}

/** rejects.csv (optional): file,line_number,field,reason,value,line. */
export interface RejectRow {
  file: string;
  line_number: number;
  field: string;
  reason: string;
  value: string;
  line: string;
}

export function readRejects(runDir: string): RejectRow[] | undefined {
  const path = join(runDir, RUN_FILES.rejects);
  if (!existsSync(path)) return undefined;
  const rows = parseCsv(readFileSync(path, 'utf8'));
  const header = rows[0]?.fields.join(',');
  if (header !== 'file,line_number,field,reason,value,line') {
    throw new InputError({
      file: path,
      line: 1,
      field: 'header',
      reason: "expected 'file,line_number,field,reason,value,line'",
      text: header ?? '',
    });
  }
  return rows.slice(1).map(({ fields }) => ({
    file: fields[0] ?? '',
    line_number: Number(fields[1]),
    field: fields[2] ?? '',
    reason: fields[3] ?? '',
    value: fields[4] ?? '',
    line: fields[5] ?? '',
  }));
}
