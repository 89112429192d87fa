import { fmtInt } from './format.js';
import type { CountRow } from './run-folder.js';
import { historyDays } from './stats.js';

/** '2015-05-31 to 2018-02-28 (1,005 days, UTC)' for a count file. */
export function rangeText(rows: CountRow[]): string {
  const n = historyDays(rows);
  return `${rows[0]?.date} to ${rows.at(-1)?.date} (${fmtInt(n)} ${n === 1 ? 'day' : 'days'}, UTC)`;
}
