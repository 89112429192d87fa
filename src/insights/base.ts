import type { Engine, Row } from '../engine/engine.js';
import type { BillingBasis, PricingTable } from './pricing.js';
import { planFor } from './pricing.js';

/** A SQL string literal. */
export function lit(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A DATE literal. */
export function dateLit(iso: string): string {
  return `DATE ${lit(iso)}`;
}

export function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'bigint' ? Number(v) : Number(v);
}

export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

export async function rows(engine: Engine, sql: string): Promise<Row[]> {
  return engine.query(sql);
}

/** Days of the trailing windows the sales leads compare (now, and the same window 90 days earlier). */
export const LEAD_WINDOW_DAYS = 30;
export const LEAD_LOOKBACK_DAYS = 90;

/** Fleet-size buckets of SPEC section 4, used here on billable devices. */
export const BUCKETS = ['1-2', '3-9', '10-99', '100-999', '1000+'] as const;

export function bucketSql(expr: string): string {
  return `case when ${expr} <= 2 then '1-2' when ${expr} <= 9 then '3-9' when ${expr} <= 99 then '10-99'
    when ${expr} <= 999 then '100-999' else '1000+' end`;
}

/** Billable devices of a period under a basis: the column of ins_user_period. */
export function basisColumn(b: BillingBasis): string {
  return `b_${b}`;
}

/**
 * Base tables, all prefixed ins_:
 * - ins_dd: the owner of every online device-day (device_days.parquet);
 * - ins_user_daily: each user's fleet size per day (SPEC 4: distinct devices owned that day);
 * - ins_periods: calendar months of the window, and the two trailing lead windows;
 * - ins_user_period: per user and period, billable devices under each basis.
 *
 * The bases over a period of N days (every day of the period inside the
 * observation window, days without a device counting as 0):
 * max = the largest daily count; mean = the mean daily count rounded up;
 * p95 = the nearest-rank 95th percentile (the ceil(0.95 N)-th smallest daily count).
 */
export async function buildBase(
  engine: Engine,
  w: { deviceDaysFile: string; firstDay: string; asOf: string },
): Promise<void> {
  const first = dateLit(w.firstDay);
  const asOf = dateLit(w.asOf);
  await engine.query(`create or replace table ins_dd as
    select cast(device_id as bigint) as device_id, cast(user_id as bigint) as user_id, cast(day as date) as day
    from read_parquet(${lit(w.deviceDaysFile)})
    where cast(day as date) between ${first} and ${asOf}`);
  // device_days.parquet has one row per device and day (its owner that day), so a count is a distinct count.
  await engine.query(`create or replace table ins_user_daily as
    select user_id, day, cast(count(*) as integer) as n
    from ins_dd group by user_id, day`);
  const nowStart = `${asOf} - ${LEAD_WINDOW_DAYS - 1}`;
  const agoEnd = `${asOf} - ${LEAD_LOOKBACK_DAYS}`;
  const agoStart = `${asOf} - ${LEAD_LOOKBACK_DAYS + LEAD_WINDOW_DAYS - 1}`;
  await engine.query(`create or replace table ins_periods as
    with months as (
      select cast(m as date) as month
      from range(cast(date_trunc('month', ${first}) as timestamp), cast(${asOf} + 1 as timestamp), interval 1 month) t(m)
    ),
    p as (
      select 'month' as kind, strftime(month, '%Y-%m') as key, month,
        greatest(month, ${first}) as start_day,
        least(cast(month + interval 1 month - interval 1 day as date), ${asOf}) as end_day,
        month >= ${first} and cast(month + interval 1 month - interval 1 day as date) <= ${asOf} as complete
      from months
      union all
      select 'lead', 'now', null, cast(${nowStart} as date), ${asOf}, true
      union all
      select 'lead', 'ago', null, cast(${agoStart} as date), cast(${agoEnd} as date), true
    )
    select *, cast(end_day - start_day + 1 as integer) as days_n,
      -- rank of the nearest-rank 95th percentile: ceil(0.95 N), in integers
      cast((95 * (end_day - start_day + 1) + 99) // 100 as integer) as k95
    from p`);
  await engine.query(`create or replace table ins_user_period as
    with ud as (
      select p.kind, p.key, p.days_n, p.k95, u.user_id, u.n,
        row_number() over (partition by p.kind, p.key, u.user_id order by u.n) as rk,
        count(*) over (partition by p.kind, p.key, u.user_id) as active_days
      from ins_user_daily u join ins_periods p on u.day between p.start_day and p.end_day
    )
    select kind, key, user_id,
      cast(max(n) as integer) as b_max,
      cast((sum(n) + days_n - 1) // days_n as integer) as b_mean,
      cast(coalesce(max(n) filter (where rk = k95 - (days_n - active_days)), 0) as integer) as b_p95,
      cast(max(active_days) as integer) as active_days,
      cast(sum(n) as bigint) as device_days
    from ud group by kind, key, user_id, days_n, k95`);
}

/** ins_price(n, plan_id, plan_name, cost): the cheapest plan for 0..maxN devices, from planFor. */
export async function buildPriceTable(engine: Engine, table: PricingTable, maxN: number): Promise<void> {
  const values: string[] = [];
  for (let n = 0; n <= maxN; n++) {
    const c = planFor(table, n);
    values.push(
      `(${n}, ${c.plan ? lit(c.plan.id) : 'null'}, ${c.plan ? lit(c.plan.name) : 'null'}, ${c.cost})`,
    );
  }
  await engine.query(`create or replace table ins_price as
    select cast(n as integer) as n, plan_id, plan_name, cast(cost as double) as cost
    from (values ${values.join(', ')}) t(n, plan_id, plan_name, cost)`);
}

/** The largest daily fleet size of any user (no basis can exceed it). */
export async function maxFleet(engine: Engine): Promise<number> {
  const [r] = await engine.query('select coalesce(max(n), 0) as m from ins_user_daily');
  return num(r?.m);
}
