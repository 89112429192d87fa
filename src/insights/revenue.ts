import type { Engine } from '../engine/engine.js';
import { BUCKETS, basisColumn, bucketSql, lit, num, numOrNull } from './base.js';
import type { BillingBasis, PricingTable } from './pricing.js';

export interface MonthKpi {
  month: string;
  complete: boolean;
  users: number;
  paying_users: number;
  billable_devices: number;
  paying_devices: number;
  revenue_usd: number;
  revenue_per_device: number | null;
  revenue_per_paying_device: number | null;
  revenue_per_user: number | null;
  revenue_per_paying_user: number | null;
}

export interface RevenueSummary {
  basis: BillingBasis;
  months: number;
  complete_months: number;
  /** The latest complete month, or null when there is none. */
  last_month: MonthKpi | null;
  by_bucket: {
    bucket: string;
    users: number;
    billable_devices: number;
    revenue_usd: number;
    share: number;
  }[];
  by_plan: { plan: string; name: string; users: number; billable_devices: number; revenue_usd: number }[];
  /** Share of the last complete month's revenue paid by its 10 largest payers. */
  top10_share: number | null;
  /** The last complete month's revenue under each basis, and over the last 12 complete months. */
  by_basis: { basis: BillingBasis; last_month_usd: number; last_12_months_usd: number }[];
  growth: { vs_3_months_ago: number | null; vs_12_months_ago: number | null };
  /** The last 12 complete months, oldest first. */
  recent: MonthKpi[];
}

export const REVENUE_FILES = {
  monthly: 'revenue_monthly.csv',
  kpis: 'revenue_kpis.csv',
  byPlan: 'revenue_by_plan.csv',
} as const;

function bucketValues(): string {
  return BUCKETS.map((b, i) => `(${lit(b)}, ${i})`).join(', ');
}

/**
 * ins_bill: one row per user and calendar month with at least one billable
 * device: billable devices under the chosen basis, the cheapest plan and its
 * price; and the price under the other bases for comparison.
 */
export async function buildBill(engine: Engine, basis: BillingBasis): Promise<void> {
  const col = basisColumn(basis);
  await engine.query(`create or replace table ins_bill as
    select p.key as month, p.complete, u.user_id, u.${col} as billable,
      ${bucketSql(`u.${col}`)} as bucket, pr.plan_id, pr.cost as revenue,
      pmax.cost as revenue_max, pmean.cost as revenue_mean, pp95.cost as revenue_p95
    from ins_user_period u
    join ins_periods p on p.kind = u.kind and p.key = u.key
    join ins_price pr on pr.n = u.${col}
    join ins_price pmax on pmax.n = u.b_max
    join ins_price pmean on pmean.n = u.b_mean
    join ins_price pp95 on pp95.n = u.b_p95
    where u.kind = 'month' and u.${col} > 0`);
  await engine.query(`create or replace table ins_kpis as
    select p.key as month, p.complete,
      cast(count(b.user_id) as integer) as users,
      cast(count(b.user_id) filter (where b.revenue > 0) as integer) as paying_users,
      cast(coalesce(sum(b.billable), 0) as bigint) as billable_devices,
      cast(coalesce(sum(b.billable) filter (where b.revenue > 0), 0) as bigint) as paying_devices,
      cast(coalesce(sum(b.revenue), 0) as decimal(18, 2)) as revenue_usd,
      round(sum(b.revenue) / nullif(sum(b.billable), 0), 4) as revenue_per_device,
      round(sum(b.revenue) / nullif(sum(b.billable) filter (where b.revenue > 0), 0), 4) as revenue_per_paying_device,
      round(sum(b.revenue) / nullif(count(b.user_id), 0), 4) as revenue_per_user,
      round(sum(b.revenue) / nullif(count(b.user_id) filter (where b.revenue > 0), 0), 4) as revenue_per_paying_user,
      round(coalesce(sum(b.revenue_max), 0), 2) as revenue_max,
      round(coalesce(sum(b.revenue_mean), 0), 2) as revenue_mean,
      round(coalesce(sum(b.revenue_p95), 0), 2) as revenue_p95
    from ins_periods p left join ins_bill b on b.month = p.key
    where p.kind = 'month'
    group by p.key, p.complete`);
}

/** revenue_monthly.csv: month, bucket, users, billable_devices, revenue_usd (every bucket of every month). */
export async function writeRevenueFiles(
  engine: Engine,
  table: PricingTable,
  paths: { monthly: string; kpis: string; byPlan: string },
): Promise<void> {
  await engine.writeCsv(
    `select p.key as month, k.bucket, cast(coalesce(a.users, 0) as integer) as users,
       cast(coalesce(a.devices, 0) as bigint) as billable_devices, cast(coalesce(a.revenue, 0) as decimal(18, 2)) as revenue_usd
     from ins_periods p cross join (values ${bucketValues()}) k(bucket, ord)
     left join (
       select month, bucket, count(*) as users, sum(billable) as devices, sum(revenue) as revenue
       from ins_bill group by month, bucket
     ) a on a.month = p.key and a.bucket = k.bucket
     where p.kind = 'month'
     order by p.key, k.ord`,
    paths.monthly,
  );
  await engine.writeCsv(
    `select month, complete, users, paying_users, billable_devices, paying_devices, revenue_usd,
       revenue_per_device, revenue_per_paying_device, revenue_per_user, revenue_per_paying_user
     from ins_kpis order by month`,
    paths.kpis,
  );
  const plans = table.plans.map((p, i) => `(${lit(p.id)}, ${lit(p.name)}, ${i})`).join(', ');
  await engine.writeCsv(
    `select p.key as month, pl.plan_id as plan, cast(coalesce(a.users, 0) as integer) as users,
       cast(coalesce(a.devices, 0) as bigint) as billable_devices, cast(coalesce(a.revenue, 0) as decimal(18, 2)) as revenue_usd
     from ins_periods p cross join (values ${plans}) pl(plan_id, plan_name, ord)
     left join (
       select month, plan_id, count(*) as users, sum(billable) as devices, sum(revenue) as revenue
       from ins_bill group by month, plan_id
     ) a on a.month = p.key and a.plan_id = pl.plan_id
     where p.kind = 'month'
     order by p.key, pl.ord`,
    paths.byPlan,
  );
}

function kpi(r: Record<string, unknown>): MonthKpi {
  return {
    month: String(r.month),
    complete: Boolean(r.complete),
    users: num(r.users),
    paying_users: num(r.paying_users),
    billable_devices: num(r.billable_devices),
    paying_devices: num(r.paying_devices),
    revenue_usd: num(r.revenue_usd),
    revenue_per_device: numOrNull(r.revenue_per_device),
    revenue_per_paying_device: numOrNull(r.revenue_per_paying_device),
    revenue_per_user: numOrNull(r.revenue_per_user),
    revenue_per_paying_user: numOrNull(r.revenue_per_paying_user),
  };
}

const ratio = (a: number, b: number | undefined): number | null =>
  b === undefined || b === 0 ? null : Math.round((a / b - 1) * 10000) / 10000;

export async function summarizeRevenue(
  engine: Engine,
  table: PricingTable,
  basis: BillingBasis,
): Promise<RevenueSummary> {
  const all = await engine.query('select * from ins_kpis order by month');
  const complete = all.filter((r) => Boolean(r.complete));
  const lastRow = complete.at(-1);
  const last = lastRow ? kpi(lastRow) : null;
  const lm = last ? lit(last.month) : 'null';
  const byBucket = await engine.query(`
    select k.bucket, cast(coalesce(a.users, 0) as integer) as users, cast(coalesce(a.devices, 0) as bigint) as devices,
      round(coalesce(a.revenue, 0), 2) as revenue
    from (values ${bucketValues()}) k(bucket, ord)
    left join (select bucket, count(*) users, sum(billable) devices, sum(revenue) revenue
               from ins_bill where month = ${lm} group by bucket) a using (bucket)
    order by k.ord`);
  const total = last?.revenue_usd ?? 0;
  const byPlan = await engine.query(`
    select plan_id, count(*) as users, sum(billable) as devices, round(sum(revenue), 2) as revenue
    from ins_bill where month = ${lm} group by plan_id`);
  const planRows = table.plans.map((p) => {
    const r = byPlan.find((x) => x.plan_id === p.id);
    return {
      plan: p.id,
      name: p.name,
      users: num(r?.users),
      billable_devices: num(r?.devices),
      revenue_usd: num(r?.revenue),
    };
  });
  const [top] = await engine.query(`
    select sum(revenue) as top from (select revenue from ins_bill where month = ${lm} order by revenue desc limit 10)`);
  const last12 = complete.slice(-12);
  const sum12 = (k: string) => Math.round(last12.reduce((s, r) => s + num(r[k]), 0) * 100) / 100;
  const byBasis = (['max', 'mean', 'p95'] as const).map((b) => ({
    basis: b,
    last_month_usd: num(lastRow?.[`revenue_${b}`]),
    last_12_months_usd: sum12(`revenue_${b}`),
  }));
  const revAt = (back: number) => {
    const r = complete[complete.length - 1 - back];
    return r ? num(r.revenue_usd) : undefined;
  };
  return {
    basis,
    months: all.length,
    complete_months: complete.length,
    last_month: last,
    by_bucket: byBucket.map((r) => ({
      bucket: String(r.bucket),
      users: num(r.users),
      billable_devices: num(r.devices),
      revenue_usd: num(r.revenue),
      share: total > 0 ? Math.round((num(r.revenue) / total) * 10000) / 10000 : 0,
    })),
    by_plan: planRows,
    top10_share: total > 0 ? Math.round((num(top?.top) / total) * 10000) / 10000 : null,
    by_basis: byBasis,
    growth: {
      vs_3_months_ago: last ? ratio(last.revenue_usd, revAt(3)) : null,
      vs_12_months_ago: last ? ratio(last.revenue_usd, revAt(12)) : null,
    },
    recent: last12.map(kpi),
  };
}
