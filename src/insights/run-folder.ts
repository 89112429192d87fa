import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';
import { isoToDay } from '../util/time.js';

/** The files of a run folder that insights reads (written by analyze and forecast). */
export const RUN_FILES = {
  quality: 'quality.json',
  daily: 'daily_online.csv',
  rolling28: 'rolling28_online.csv',
  deviceDays: 'device_days.parquet',
  repairsByServer: 'repairs_by_server.csv',
  forecast: 'forecast.csv',
  forecastJson: 'forecast.json',
} as const;

/** What insights needs to know about the analyze run behind a folder. */
export interface RunFolder {
  dir: string;
  /** First day of the observation window (the first event's UTC day). */
  firstDay: string;
  /** Last day of the observation window (quality.json as_of). */
  asOf: string;
  eventsFile: string;
  serversFile: string;
  rowsRejected: number;
  eventsRowsRead: number;
  firstEvent: string;
  lastEvent: string;
  asOfSource: string;
  /** Optional inputs: present or not. */
  hasRepairs: boolean;
  hasForecast: boolean;
  /** The series the forecast projects (forecast.json series.kind; daily when unknown). */
  forecastSeries: 'daily' | 'rolling28';
}

function forecastSeries(dir: string): 'daily' | 'rolling28' {
  try {
    const f = JSON.parse(readFileSync(join(dir, RUN_FILES.forecastJson), 'utf8')) as {
      series?: { kind?: string };
    };
    return f.series?.kind === 'rolling28' ? 'rolling28' : 'daily';
  } catch {
    return 'daily';
  }
}

function need(dir: string, name: string): string {
  const p = join(dir, name);
  if (!existsSync(p))
    throw new InputError({
      file: p,
      reason: 'no such file (run fleetpulse analyze with --out on this folder first)',
    });
  return p;
}

/** Checks a run folder and reads the window and the input paths from its quality.json. */
export function openRunFolder(dir: string): RunFolder {
  if (!existsSync(dir)) throw new InputError({ file: dir, reason: 'no such folder' });
  if (!statSync(dir).isDirectory()) throw new InputError({ file: dir, reason: 'not a folder' });
  const qPath = need(dir, RUN_FILES.quality);
  need(dir, RUN_FILES.daily);
  need(dir, RUN_FILES.deviceDays);
  let q: Record<string, unknown>;
  try {
    q = JSON.parse(readFileSync(qPath, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new InputError({ file: qPath, reason: `not valid JSON (${(e as Error).message.split('\n')[0]})` });
  }
  const field = (path: string): unknown => {
    let v: unknown = q;
    for (const k of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[k];
    return v;
  };
  const str = (path: string): string => {
    const v = field(path);
    if (typeof v !== 'string' || v === '')
      throw new InputError({
        file: qPath,
        reason: `field ${path}: missing or not a string: '${String(v ?? '')}'`,
      });
    return v;
  };
  const num = (path: string): number => {
    const v = field(path);
    return typeof v === 'number' ? v : 0;
  };
  const asOf = str('as_of');
  const firstEvent = str('first_event');
  if (isoToDay(asOf) === undefined)
    throw new InputError({ file: qPath, reason: `field as_of: not a date YYYY-MM-DD: '${asOf}'` });
  const firstDay = firstEvent.slice(0, 10);
  if (isoToDay(firstDay) === undefined)
    throw new InputError({ file: qPath, reason: `field first_event: not a timestamp: '${firstEvent}'` });
  return {
    dir,
    firstDay,
    asOf,
    eventsFile: str('inputs.events.file'),
    serversFile: str('inputs.servers.file'),
    rowsRejected: num('inputs.events.rows_rejected') + num('inputs.servers.rows_rejected'),
    eventsRowsRead: num('inputs.events.rows_read'),
    firstEvent,
    lastEvent: str('last_event'),
    asOfSource: typeof field('as_of_source') === 'string' ? (field('as_of_source') as string) : '',
    hasRepairs: existsSync(join(dir, RUN_FILES.repairsByServer)),
    hasForecast: existsSync(join(dir, RUN_FILES.forecast)),
    forecastSeries: forecastSeries(dir),
  };
}
