import { readInputText } from '../ingest/read-text.js';
import { InputError } from '../util/errors.js';
import { dayToIso, isoToDay } from '../util/time.js';

/** One column of a run folder's daily table, as a dense day-by-day array. */
export interface DailySeries {
  file: string;
  startDay: number;
  values: number[];
}

/** What was filled in to make a series dense. */
export interface GapReport {
  /** Dates absent from the file, filled by straight-line interpolation. */
  missingDays: string[];
  /**
   * Days reported as 0 between non-zero days of a series whose typical level
   * is well above 0: taken for outages of the export and interpolated too.
   */
  zeroDays: string[];
}

/**
 * Reads `date,...,COLUMN,...` (daily_online.csv, rolling28_online.csv or a
 * truth file of the same shape). Problems are InputErrors naming the file and
 * line (exit 3).
 */
export function readDailyColumn(file: string, column = 'total'): DailySeries {
  const text = readInputText(file);
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new InputError({ file, reason: 'empty file' });
  const header = (lines[0] ?? '').split(',').map((s) => s.trim());
  const dateCol = header.indexOf('date');
  const valueCol = header.indexOf(column);
  if (dateCol < 0 || valueCol < 0) {
    throw new InputError({
      file,
      line: 1,
      field: 'header',
      reason: `expected columns 'date' and '${column}'`,
      text: lines[0],
    });
  }
  const days: number[] = [];
  const vals: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const f = line.split(',');
    const dText = (f[dateCol] ?? '').trim();
    const vText = (f[valueCol] ?? '').trim();
    const day = isoToDay(dText);
    if (day === undefined)
      throw new InputError({ file, line: i + 1, field: 'date', reason: 'not a date', text: dText });
    const v = Number(vText);
    if (vText === '' || !Number.isFinite(v) || v < 0) {
      throw new InputError({ file, line: i + 1, field: column, reason: 'not a count >= 0', text: vText });
    }
    const prev = days[days.length - 1];
    if (prev !== undefined && day <= prev) {
      throw new InputError({
        file,
        line: i + 1,
        field: 'date',
        reason: `dates must be ascending and unique (after ${dayToIso(prev)})`,
        text: dText,
      });
    }
    days.push(day);
    vals.push(v);
  }
  if (days.length === 0) throw new InputError({ file, reason: 'no data rows' });
  const startDay = days[0] as number;
  const endDay = days[days.length - 1] as number;
  const values: number[] = new Array(endDay - startDay + 1).fill(Number.NaN);
  for (let i = 0; i < days.length; i++) values[(days[i] as number) - startDay] = vals[i] as number;
  return { file, startDay, values };
}

/**
 * Makes a series dense: missing days and outage zeros are interpolated
 * linearly between their neighbours (held flat at the ends). Returns the
 * filled copy and the list of what was filled.
 */
export function fillGaps(startDay: number, raw: number[]): { values: number[]; gaps: GapReport } {
  const values = raw.slice();
  const missingDays: string[] = [];
  const zeroDays: string[] = [];
  const finite = raw.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const median = finite.length ? (finite[Math.floor(finite.length / 2)] as number) : 0;
  const firstPos = raw.findIndex((v) => v > 0);
  let lastPos = -1;
  for (let i = raw.length - 1; i >= 0; i--) {
    if ((raw[i] as number) > 0) {
      lastPos = i;
      break;
    }
  }
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i] as number;
    if (!Number.isFinite(v)) {
      missingDays.push(dayToIso(startDay + i));
      values[i] = Number.NaN;
    } else if (v === 0 && median >= 20 && i > firstPos && i < lastPos) {
      // A fleet-wide total of 0 between busy days is an outage of the export, not of the fleet.
      zeroDays.push(dayToIso(startDay + i));
      values[i] = Number.NaN;
    }
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) continue;
    let j = i;
    while (j < values.length && Number.isNaN(values[j])) j++;
    const left = i > 0 ? (values[i - 1] as number) : undefined;
    const right = j < values.length ? (values[j] as number) : undefined;
    for (let k = i; k < j; k++) {
      if (left !== undefined && right !== undefined)
        values[k] = left + ((right - left) * (k - i + 1)) / (j - i + 1);
      else values[k] = left ?? right ?? 0;
    }
    i = j - 1;
  }
  return { values, gaps: { missingDays, zeroDays } };
}
