import { isoToDay } from '../util/time.js';

/** The fixed calendar of the synthetic platform: every run shares it, whatever --until says. */

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

function day(iso: string): number {
  const d = isoToDay(iso);
  if (d === undefined) throw new Error(`bad calendar constant ${iso}`);
  return d;
}

/** Day of the export's first event (as in the production sample). */
export const FIRST_DAY = day('2015-05-31');
/** The legacy server is destroyed on this day: the dense era starts. */
export const ERA_SWITCH_DAY = day('2017-08-03');
/** Last day of the production sample: the default --until. */
export const DEFAULT_UNTIL_DAY = day('2018-02-28');
/**
 * servers.csv is a snapshot taken at the start of this day: it knows every
 * destruction before it, whatever --until is, so that exports with different
 * --until values agree on destroyed_at (prefix stability).
 */
export const SNAPSHOT_DAY = day('2019-03-31');
/** The world is simulated up to the snapshot, so --until can go up to the day before. */
export const MAX_UNTIL_DAY = SNAPSHOT_DAY - 1;
/** servers.csv holds this many rows at the default --until, as in production. */
export const SERVERS_AT_DEFAULT_UNTIL = 188;

export const SNAPSHOT_MS = SNAPSHOT_DAY * MS_PER_DAY;

export function dayOfMs(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}

/** Legacy-era clock: the first hh:30:00 at or after t (the legacy system logged at minute 30). */
export function nextHalfPast(t: number): number {
  const off = 30 * MS_PER_MINUTE;
  return Math.ceil((t - off) / MS_PER_HOUR) * MS_PER_HOUR + off;
}
