import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../engine/engine.js';
import { analyze } from '../pipeline/analyze.js';
import { InputError } from '../util/errors.js';
import { isoToDay } from '../util/time.js';
import { lit, num } from './base.js';
import type { RunFolder } from './run-folder.js';

export const DATA_FILES = {
  serverLosses: 'server_losses.csv',
  ruleSensitivity: 'rule_sensitivity.csv',
} as const;

/** How many servers the summary lists. */
export const TOP_SERVERS = 15;

export interface ServerLoss {
  server_id: number;
  known_server: boolean;
  online_events: number;
  lost_events: number;
  lost_per_100_sessions: number | null;
  rule_1: number;
  rule_2: number;
  rule_4: number;
  offline_after_offline: number;
}

export interface RepairsSummary {
  status: 'ok' | 'missing';
  message: string;
  servers: number;
  lost_events: number;
  online_events: number;
  /** Share of all lost events on the 10 servers that lose the most. */
  top10_share: number | null;
  unknown_servers_share: number | null;
  top: ServerLoss[];
  /** Servers with the highest loss rate, among those with at least the median number of online events. */
  top_rate: ServerLoss[];
  /** That median. */
  rate_min_online_events: number;
}

const LOST = 'rule_1 + rule_2 + 2 * rule_4 + offline_after_offline';

/**
 * Events each server lost, estimated from the repair rules that fired there:
 * rule 1 (a missing offline event), rule 2 (a missing offline on X), rule 4
 * (a missing offline on X and a missing online on Y, both charged to X),
 * offline after offline (a missing online event).
 */
export async function buildRepairs(
  engine: Engine,
  file: string | null,
  outPath: string,
): Promise<RepairsSummary> {
  const none = {
    servers: 0,
    lost_events: 0,
    online_events: 0,
    top10_share: null,
    unknown_servers_share: null,
    top: [],
    top_rate: [],
    rate_min_online_events: 0,
  };
  if (!file)
    return {
      status: 'missing',
      message: 'repairs_by_server.csv is not in the run folder (an older analyze?)',
      ...none,
    };
  await engine.query(`create or replace table ins_server_losses as
    select cast(server_id as bigint) as server_id, cast(known_server as boolean) as known_server,
      cast(online_events as bigint) as online_events, cast(${LOST} as bigint) as lost_events,
      round(100.0 * (${LOST}) / nullif(online_events, 0), 2) as lost_per_100_sessions,
      cast(rule_1 as bigint) as rule_1, cast(rule_2 as bigint) as rule_2, cast(rule_4 as bigint) as rule_4,
      cast(offline_after_offline as bigint) as offline_after_offline
    from read_csv(${lit(file)}, header = true, auto_detect = true)`);
  await engine.writeCsv('select * from ins_server_losses order by lost_events desc, server_id', outPath);
  const [t] = await engine.query(`
    select count(*) as servers, sum(lost_events) as lost, sum(online_events) as online,
      sum(lost_events) filter (where not known_server) as unknown_lost,
      (select sum(lost_events) from (select lost_events from ins_server_losses order by lost_events desc limit 10)) as top10
    from ins_server_losses`);
  const lost = num(t?.lost);
  const top = await engine.query(
    `select * from ins_server_losses order by lost_events desc, server_id limit ${TOP_SERVERS}`,
  );
  const [med] = await engine.query(
    'select coalesce(quantile_disc(online_events, 0.5), 0) as m from ins_server_losses where online_events > 0',
  );
  const minOnline = num(med?.m);
  const topRate = await engine.query(`select * from ins_server_losses
    where online_events > 0 and online_events >= ${minOnline}
    order by lost_per_100_sessions desc, lost_events desc, server_id limit 5`);
  const loss = (r: Record<string, unknown>): ServerLoss => ({
    server_id: num(r.server_id),
    known_server: Boolean(r.known_server),
    online_events: num(r.online_events),
    lost_events: num(r.lost_events),
    lost_per_100_sessions: r.lost_per_100_sessions === null ? null : num(r.lost_per_100_sessions),
    rule_1: num(r.rule_1),
    rule_2: num(r.rule_2),
    rule_4: num(r.rule_4),
    offline_after_offline: num(r.offline_after_offline),
  });
  return {
    status: 'ok',
    message: `${num(t?.servers)} servers`,
    servers: num(t?.servers),
    lost_events: lost,
    online_events: num(t?.online),
    top10_share: lost > 0 ? Math.round((num(t?.top10) / lost) * 10000) / 10000 : null,
    unknown_servers_share: lost > 0 ? Math.round((num(t?.unknown_lost) / lost) * 10000) / 10000 : null,
    top: top.map(loss),
    top_rate: topRate.map(loss),
    rate_min_online_events: minOnline,
  };
}

export interface SensitivitySummary {
  status: 'ok' | 'export_missing' | 'export_changed' | 'rerun_failed' | 'skipped';
  message: string;
  events_file: string;
  days: number;
  days_different: number;
  /** Largest |alternative - literal| and its day. */
  max_abs_difference: number;
  max_abs_difference_date: string | null;
  mean_difference: number;
  /** Mean of (alternative - literal) / literal over days with devices online. */
  mean_relative_difference: number | null;
  device_days_literal: number;
  device_days_alternative: number;
  last_day: { date: string; literal: number; alternative: number; difference: number } | null;
}

function emptySensitivity(
  status: SensitivitySummary['status'],
  message: string,
  events: string,
): SensitivitySummary {
  return {
    status,
    message,
    events_file: events,
    days: 0,
    days_different: 0,
    max_abs_difference: 0,
    max_abs_difference_date: null,
    mean_difference: 0,
    mean_relative_difference: null,
    device_days_literal: 0,
    device_days_alternative: 0,
    last_day: null,
  };
}

/**
 * Rule 4 sensitivity: re-runs the clean view on the same export with rule 4
 * ending at the earlier of the server's destruction and the next event, and
 * compares the daily totals with the literal rule's.
 */
export async function buildRuleSensitivity(
  engine: Engine,
  run: RunFolder,
  outPath: string,
): Promise<SensitivitySummary> {
  const events = run.eventsFile;
  for (const f of [run.eventsFile, run.serversFile])
    if (!existsSync(f))
      return emptySensitivity(
        'export_missing',
        `the export is no longer at ${f} (the path recorded in quality.json): the rule-4 comparison needs it`,
        events,
      );
  const tmp = mkdtempSync(join(tmpdir(), 'fleetpulse-rule4-'));
  try {
    try {
      await analyze({
        events: run.eventsFile,
        servers: run.serversFile,
        out: tmp,
        asOfDay: isoToDay(run.asOf),
        rule4: 'earlier',
        quiet: true,
        maxRejects: run.rowsRejected > 0 ? run.rowsRejected : undefined,
      });
    } catch (e) {
      if (e instanceof InputError)
        return emptySensitivity('rerun_failed', `re-running the clean view failed: ${e.message}`, events);
      throw e;
    }
    const q = JSON.parse(readFileSync(join(tmp, 'quality.json'), 'utf8')) as {
      first_event?: string;
      inputs?: { events?: { rows_read?: number } };
    };
    if (q.first_event !== run.firstEvent || q.inputs?.events?.rows_read !== run.eventsRowsRead)
      return emptySensitivity(
        'export_changed',
        `${events} has changed since analyze ran (rows read ${q.inputs?.events?.rows_read} vs ${run.eventsRowsRead}, ` +
          `first event ${q.first_event} vs ${run.firstEvent}): the comparison would mix two exports`,
        events,
      );
    const dailyOf = (dir: string) =>
      `(select cast(date as date) as day, cast(total as bigint) as total
        from read_csv(${lit(join(dir, 'daily_online.csv'))}, header = true, auto_detect = true))`;
    await engine.query(`create or replace table ins_sensitivity as
      select strftime(l.day, '%Y-%m-%d') as date, l.total as total_literal, coalesce(a.total, 0) as total_alternative,
        coalesce(a.total, 0) - l.total as difference
      from ${dailyOf(run.dir)} l left join ${dailyOf(tmp)} a using (day)`);
    await engine.writeCsv('select * from ins_sensitivity order by date', outPath);
    const [s] = await engine.query(`
      select count(*) as days, count(*) filter (where difference <> 0) as days_different,
        max(abs(difference)) as max_abs, arg_max(date, abs(difference)) as max_abs_date,
        avg(difference) as mean_diff,
        avg(difference / total_literal) filter (where total_literal > 0) as mean_rel,
        sum(total_literal) as dd_lit, sum(total_alternative) as dd_alt,
        arg_max(date, date) as last_date, arg_max(total_literal, date) as last_lit,
        arg_max(total_alternative, date) as last_alt
      from ins_sensitivity`);
    const days = num(s?.days);
    return {
      status: 'ok',
      message: `re-ran the clean view on ${events} with rule 4 ending at the earlier of destruction and the next event`,
      events_file: events,
      days,
      days_different: num(s?.days_different),
      max_abs_difference: num(s?.max_abs),
      max_abs_difference_date: num(s?.max_abs) === 0 ? null : String(s?.max_abs_date),
      mean_difference: Math.round(num(s?.mean_diff) * 100) / 100,
      mean_relative_difference:
        s?.mean_rel === null || s?.mean_rel === undefined ? null : Math.round(num(s.mean_rel) * 1e6) / 1e6,
      device_days_literal: num(s?.dd_lit),
      device_days_alternative: num(s?.dd_alt),
      last_day: days
        ? {
            date: String(s?.last_date),
            literal: num(s?.last_lit),
            alternative: num(s?.last_alt),
            difference: num(s?.last_alt) - num(s?.last_lit),
          }
        : null,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function skippedSensitivity(events: string): SensitivitySummary {
  return emptySensitivity('skipped', 'skipped (--no-rule-sensitivity)', events);
}
