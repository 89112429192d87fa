import { basename } from 'node:path';
import type { QualityReport } from '../../repair/quality.js';
import { BUCKETS } from '../buckets.js';
import { mismatchedDays, readDeviceDayStats } from '../device-days.js';
import { esc, fmtInt, fmtPct, plural } from '../format.js';
import { type CountRow, RUN_FILES, readCounts, readQuality } from '../run-folder.js';
import type { ReportSection, SectionBuilder } from '../section.js';
import { historyDays } from '../stats.js';

const firings = (q: QualityReport, counter: string) => q.rules[counter]?.firings ?? 0;

/** The counters whose firing closes (emits) an online interval. */
export const CLOSING_COUNTERS = ['rule_1', 'rule_2', 'rule_3', 'rule_4', 'end'] as const;

export interface Check {
  ok: boolean;
  text: string;
}

function check(ok: boolean, text: string): Check {
  return { ok, text };
}

/** Consistency checks between quality.json, the count files and device_days.parquet. */
export async function crossChecks(runDir: string, q: QualityReport, daily: CountRow[], rolling: CountRow[]) {
  const checks: Check[] = [];
  const sumDaily = daily.reduce((n, r) => n + r.total, 0);
  checks.push(
    check(
      sumDaily === q.device_days,
      `The daily totals add up to ${fmtInt(sumDaily)}, ${sumDaily === q.device_days ? 'equal to' : 'not equal to'} the ${fmtInt(q.device_days)} device-days of quality.json.`,
    ),
  );
  const closing = CLOSING_COUNTERS.reduce((n, c) => n + firings(q, c), 0);
  checks.push(
    check(
      closing === q.intervals,
      `Rules 1 to 4 and the end case closed ${fmtInt(closing)} intervals; quality.json counts ${fmtInt(q.intervals)} intervals.`,
    ),
  );
  checks.push(
    check(
      daily.length === q.days && rolling.length === q.days,
      `${RUN_FILES.daily} has ${plural(daily.length, 'row')} and ${RUN_FILES.rolling28} ${plural(rolling.length, 'row')}, for a window of ${plural(q.days, 'day')}.`,
    ),
  );
  const rollingByDate = new Map(rolling.map((r) => [r.date, r.total]));
  const below = daily.filter((r) => (rollingByDate.get(r.date) ?? Infinity) < r.total).length;
  checks.push(
    check(
      below === 0,
      below === 0
        ? 'On every day the 28-day count is at least the daily count, as it must be (a device online on a day is online in the window ending that day).'
        : `On ${plural(below, 'day')} the 28-day count is below the daily count, which cannot happen for correct files.`,
    ),
  );
  const dd = await readDeviceDayStats(runDir);
  let parquetText: string;
  if (!dd) {
    parquetText = `${RUN_FILES.deviceDays} is not in the run folder: the per-day cross-check with it is skipped.`;
  } else {
    parquetText = `${RUN_FILES.deviceDays} holds ${plural(dd.rows, 'device-day')} (${dd.firstDay ?? '—'} to ${dd.lastDay ?? '—'}) of ${plural(dd.devices, 'device')} owned by ${plural(dd.users, 'user')}; ${plural(dd.devicesWithSeveralOwners, 'device')} changed owner at least once, which is why a device-day’s owner is fixed by the latest-starting interval.`;
    checks.push(
      check(
        dd.rows === q.device_days,
        `${RUN_FILES.deviceDays} has ${fmtInt(dd.rows)} rows; quality.json counts ${fmtInt(q.device_days)} device-days.`,
      ),
    );
    const bad = mismatchedDays(daily, dd);
    checks.push(
      check(
        bad.length === 0,
        bad.length === 0
          ? `Per day, the device-days in ${RUN_FILES.deviceDays} equal the daily total on all ${plural(daily.length, 'day')}.`
          : `Per day, the device-days in ${RUN_FILES.deviceDays} differ from the daily total on ${plural(bad.length, 'day')}, first: ${bad
              .slice(0, 5)
              .map((b) => `${b.date} (${fmtInt(b.csv)} vs ${fmtInt(b.parquet)})`)
              .join(', ')}.`,
      ),
    );
  }
  return { checks, parquetText };
}

/** Section "Methodology": how the numbers were made, every figure taken from quality.json and the data. */
export const methodologySection: SectionBuilder = async (runDir): Promise<ReportSection> => {
  const q = readQuality(runDir);
  const daily = readCounts(runDir, 'daily');
  const rolling = readCounts(runDir, 'rolling28');
  const ev = q.inputs.events;
  const sv = q.inputs.servers;
  const { checks, parquetText } = await crossChecks(runDir, q, daily, rolling);
  const ignored = firings(q, 'rule_7') + firings(q, 'rule_8') + firings(q, 'leading_offline');
  const buckets = BUCKETS.map((b) => b.label).join(', ');
  const afterAsOf = ev.rows_after_as_of ?? 0;
  const html = [
    '<h3>Window and inputs</h3>',
    `<p>The metric covers ${plural(q.days, 'UTC day')}, ${esc(daily[0]?.date ?? '')} to ${esc(q.as_of)}: from the day of the first event (${esc(q.first_event)}) to the as-of day, set from the ${esc(q.as_of_source)}. The window ends at ${esc(q.as_of_end)} UTC${afterAsOf ? `; ${plural(afterAsOf, 'event')} after it ${afterAsOf === 1 ? 'was' : 'were'} left out, as if not yet recorded` : ''}.</p>`,
    `<p>${esc(basename(ev.file ?? 'events'))}: ${plural(ev.rows_read, 'row')} read${ev.gzip ? ' (gzip)' : ''}, ${fmtInt(ev.rows_used)} used, ${fmtInt(ev.rows_rejected)} rejected${ev.blank_lines ? `, ${plural(ev.blank_lines, 'blank line')} skipped` : ''}. ${esc(basename(sv.file ?? 'servers'))}: ${plural(sv.rows_used, 'server')} used, ${fmtInt(sv.rows_rejected)} rejected. The events name ${plural(q.devices, 'device')}; ${plural(q.users_with_online_events, 'user')} own at least one online interval.</p>`,
    '<h3>Repairing each device’s timeline</h3>',
    '<p>Each device’s events are taken in (timestamp, line) order and paired with the next one. An online event opens an interval; the next event decides how it closes:</p>',
    '<ul>',
    `<li>an offline event on the same server, rule 3 (observed): ${plural(firings(q, 'rule_3'), 'interval')}, ending at that event;</li>`,
    `<li>an online event on the same server, rule 1 (a lost disconnect): ${plural(firings(q, 'rule_1'), 'interval')}, ending at the new event;</li>`,
    `<li>an online event on another server, rule 2: ${plural(firings(q, 'rule_2'), 'interval')}, ending at the earlier of the first server’s destruction and the new event;</li>`,
    `<li>an offline event on another server, rule 4: ${plural(firings(q, 'rule_4'), 'interval')}, ending at the first server’s destruction, or at the event when that is unknown;</li>`,
    `<li>no further event, the end case: ${plural(firings(q, 'end'), 'interval')}, ending at the earlier of the server’s destruction and the end of the window.</li>`,
    '</ul>',
    `<p>${plural(ignored, 'offline event')} that followed another offline event or came first ${ignored === 1 ? 'was' : 'were'} ignored (rules 7 and 8, leading offline). In all, ${plural(q.intervals, 'online interval')}; ${plural(q.clamped_intervals, 'interval')} whose computed end fell before its start ${q.clamped_intervals === 1 ? 'was' : 'were'} clamped to a single instant.</p>`,
    '<h3>From intervals to the two counts</h3>',
    `<p>A device is online on a UTC day if one of its intervals touches the day for any time (an interval ending exactly at midnight does not count the next day). This gives ${plural(q.device_days, 'device-day')}, of which ${fmtInt(q.device_days_repaired_only)} (${q.device_days > 0 ? fmtPct(q.device_days_repaired_only / q.device_days) : '—'}) rest only on repaired intervals. Each device-day belongs to the user of the latest-starting interval touching it, so a device counts once a day even when it changes owner. A user’s fleet size on a day is the number of devices they own that day, bucketed as ${esc(buckets)}; the daily count per bucket is the number of online devices whose owner’s fleet falls in it.</p>`,
    `<p>The rolling count for a day takes the 28 days ending on it: a device counts if it was online on any of them, owned by its owner on its latest online day in the window; fleet sizes are counted over the window. Both files have one row per day of the window (${plural(historyDays(daily), 'day')}), days without any online device included with zeros.</p>`,
    `<p>${esc(parquetText)}</p>`,
    '<h3>Cross-checks</h3>',
    `<ul class="checks">${checks.map((c) => `<li class="${c.ok ? 'ok' : 'fail'}"><span class="mark">${c.ok ? '✓' : '✗'}</span> ${esc(c.text)}</li>`).join('')}</ul>`,
    `<p class="note">Produced by ${esc(q.tool?.name ?? 'fleetpulse')} ${esc(q.tool?.version ?? '')} on the ${esc(q.tool?.engine ?? '')} engine; every number on this page is read or computed from the run folder.</p>`,
  ].join('\n');
  return { id: 'methodology', title: 'Methodology', order: 900, html, charts: [] };
};
