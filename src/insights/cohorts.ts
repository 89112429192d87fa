import { writeFileSync } from 'node:fs';
import type { Engine } from '../engine/engine.js';
import { dateLit, num } from './base.js';

/** The fleet size whose time to reach the cohort step measures. */
export const FLEET_TARGET = 10;
/** Users first seen this early in the data may have started before it: left out of time-to-10. */
export const LEFT_CENSOR_DAYS = 30;

export const COHORT_FILES = {
  devices: 'cohort_devices.csv',
  users: 'cohort_users.csv',
  timeTo10: 'time_to_10.csv',
} as const;

export interface CohortSummary {
  /** Months the heatmaps cover (complete months only). */
  months: number;
  last_month: string | null;
  /** Mean retention over cohorts at 1, 3, 6 and 12 months after activation (cohorts old enough). */
  device_retention: Record<string, number | null>;
  user_retention: Record<string, number | null>;
  /** The largest and the most recent cohorts with a 3-month figure. */
  device_cohorts: number;
  user_cohorts: number;
}

export interface TimeToTarget {
  target: number;
  users: number;
  left_out_left_censored: number;
  reached: number;
  /** Among the users who reached the target: median and quartiles, in days. */
  median_days_reached: number | null;
  p25_days_reached: number | null;
  p75_days_reached: number | null;
  /** Kaplan-Meier share reaching the target within N days. */
  share_within: Record<string, number | null>;
  /** Kaplan-Meier median (days until half the users reach it), or null if fewer than half do. */
  km_median_days: number | null;
}

const OFFSETS = [1, 3, 6, 12];

/**
 * Retention by activation month. A device (user) is activated in the month of
 * its first online day in the data; it is retained k months later when it is
 * online (has an online device) on any day of that month. Only complete
 * months count, so a partial last month does not look like a drop.
 */
export async function buildCohorts(
  engine: Engine,
  paths: { devices: string; users: string },
): Promise<CohortSummary> {
  await engine.query(`create or replace table ins_cohort_months as
    select key as month_key, month from ins_periods where kind = 'month' and complete`);
  for (const [who, src, id, path] of [
    ['devices', 'ins_dd', 'device_id', paths.devices],
    ['users', 'ins_user_daily', 'user_id', paths.users],
  ] as const) {
    await engine.query(`create or replace table ins_cohort_${who} as
      with am as (select distinct ${id} as id, date_trunc('month', day) as m from ${src}),
      c as (select id, min(m) as cohort from am group by id),
      k as (
        select c.cohort, cast(date_diff('month', c.cohort, am.m) as integer) as months_since, count(*) as active
        from am join c using (id) group by c.cohort, months_since
      ),
      sizes as (select cohort, count(*) as cohort_size from c group by cohort)
      select strftime(k.cohort, '%Y-%m') as cohort, k.months_since, cast(k.active as bigint) as active,
        cast(s.cohort_size as bigint) as cohort_size, round(k.active / s.cohort_size, 4) as retention
      from k join sizes s using (cohort)
      where k.cohort in (select month from ins_cohort_months)
        and k.cohort + to_months(k.months_since) in (select month from ins_cohort_months)`);
    await engine.writeCsv(`select * from ins_cohort_${who} order by cohort, months_since`, path);
  }
  const mean = async (who: string) => {
    const out: Record<string, number | null> = {};
    for (const k of OFFSETS) {
      // Cohorts old enough to have a month k; a cohort with no device left that month counts as 0.
      const [r] = await engine.query(`
        with c as (select distinct cohort, cohort_size from ins_cohort_${who}
                   where strptime(cohort, '%Y-%m') + to_months(${k}) in (select month from ins_cohort_months)),
        a as (select cohort, active from ins_cohort_${who} where months_since = ${k})
        select sum(coalesce(a.active, 0)) / sum(c.cohort_size) as r, count(*) as n from c left join a using (cohort)`);
      out[`month_${k}`] = num(r?.n) > 0 ? Math.round(num(r?.r) * 10000) / 10000 : null;
    }
    return out;
  };
  const [m] = await engine.query('select count(*) as n, max(month_key) as last from ins_cohort_months');
  const [dc] = await engine.query('select count(distinct cohort) as n from ins_cohort_devices');
  const [uc] = await engine.query('select count(distinct cohort) as n from ins_cohort_users');
  return {
    months: num(m?.n),
    last_month: m?.last === null || m?.last === undefined ? null : String(m.last),
    device_retention: await mean('devices'),
    user_retention: await mean('users'),
    device_cohorts: num(dc?.n),
    user_cohorts: num(uc?.n),
  };
}

/**
 * Days from a user's first online device to the first day with FLEET_TARGET
 * devices online, with users who have not reached it yet treated as censored
 * at as_of (Kaplan-Meier), so recent users do not drag the figure down.
 */
export async function buildTimeToTarget(
  engine: Engine,
  w: { firstDay: string; asOf: string },
  path: string,
): Promise<TimeToTarget> {
  const first = dateLit(w.firstDay);
  const asOf = dateLit(w.asOf);
  await engine.query(`create or replace table ins_ttt_users as
    select user_id, min(day) as first_day, min(day) filter (where n >= ${FLEET_TARGET}) as reach_day
    from ins_user_daily group by user_id`);
  await engine.query(`create or replace table ins_ttt as
    select cast(coalesce(reach_day, ${asOf}) - first_day as integer) as t, reach_day is not null as reached
    from ins_ttt_users where first_day >= ${first} + ${LEFT_CENSOR_DAYS}`);
  const grouped = await engine.query(`
    select t, count(*) filter (where reached) as d, count(*) filter (where not reached) as c
    from ins_ttt group by t order by t`);
  const [tot] = await engine.query(`
    select (select count(*) from ins_ttt) as users,
      (select count(*) from ins_ttt_users where first_day < ${first} + ${LEFT_CENSOR_DAYS}) as left_out,
      count(*) as reached,
      quantile_disc(t, 0.5) as med, quantile_disc(t, 0.25) as p25, quantile_disc(t, 0.75) as p75
    from ins_ttt where reached`);
  // Kaplan-Meier over at most one row per distinct day count.
  let atRisk = num(tot?.users);
  let survival = 1;
  const curve: string[] = ['days,at_risk,reached,censored,share_reached'];
  const points: { t: number; share: number }[] = [];
  for (const g of grouped) {
    const t = num(g.t);
    const d = num(g.d);
    const c = num(g.c);
    if (atRisk > 0 && d > 0) survival *= 1 - d / atRisk;
    const share = Math.round((1 - survival) * 1e6) / 1e6;
    curve.push(`${t},${atRisk},${d},${c},${share}`);
    points.push({ t, share });
    atRisk -= d + c;
  }
  writeFileSync(path, `${curve.join('\n')}\n`);
  const maxT = points.at(-1)?.t ?? -1;
  const within = (days: number): number | null => {
    if (days > maxT) return null; // nobody followed that long
    let s = 0;
    for (const p of points) if (p.t <= days) s = p.share;
    return Math.round(s * 10000) / 10000;
  };
  const km = points.find((p) => p.share >= 0.5);
  const reached = num(tot?.reached);
  return {
    target: FLEET_TARGET,
    users: num(tot?.users),
    left_out_left_censored: num(tot?.left_out),
    reached,
    median_days_reached: reached ? num(tot?.med) : null,
    p25_days_reached: reached ? num(tot?.p25) : null,
    p75_days_reached: reached ? num(tot?.p75) : null,
    share_within: { d30: within(30), d90: within(90), d180: within(180), d365: within(365) },
    km_median_days: km ? km.t : null,
  };
}
