import type { Engine } from '../engine/engine.js';
import { dateLit, lit, num } from './base.js';

/** Complete months whose revenue per online device sets the projection's ratio. */
export const RATIO_MONTHS = 3;

export interface ProjectedMonth {
  month: string;
  days: number;
  forecast_days: number;
  mean_online_devices: number;
  revenue_usd: number;
  revenue_lo80: number;
  revenue_hi80: number;
  revenue_lo95: number;
  revenue_hi95: number;
}

export interface ProjectionSummary {
  /** The online-device series behind the ratio and the forecast. */
  series: 'daily' | 'rolling28';
  status: 'ok' | 'no_forecast' | 'unusable_forecast' | 'no_history';
  message: string;
  /** Revenue per average online device per month over the ratio months. */
  revenue_per_online_device: number | null;
  ratio_months: string[];
  last_actual: { month: string; revenue_usd: number; mean_online_devices: number } | null;
  months: ProjectedMonth[];
  horizon_end: string | null;
  /** Sum of the projected months: central estimate and 80% range. */
  total: { revenue_usd: number; lo80: number; hi80: number } | null;
}

const FORECAST_COLUMNS = ['date', 'yhat', 'lo80', 'hi80', 'lo95', 'hi95'];

/** ins_daily(day, total): the history of the series the forecast projects (daily_online.csv or rolling28_online.csv). */
export async function loadSeries(engine: Engine, countsFile: string): Promise<void> {
  await engine.query(`create or replace table ins_daily as
    select cast(date as date) as day, cast(total as bigint) as total
    from read_csv(${lit(countsFile)}, header = true, auto_detect = true)`);
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Revenue projection: revenue per average online device (the last complete
 * months) times the forecast's mean daily online devices of each month the
 * forecast covers completely (days already observed use the actual total).
 */
export async function buildProjection(
  engine: Engine,
  w: { asOf: string; forecastFile: string | null; series: 'daily' | 'rolling28' },
): Promise<ProjectionSummary> {
  const empty = {
    series: w.series,
    revenue_per_online_device: null,
    ratio_months: [],
    last_actual: null,
    months: [],
    horizon_end: null,
    total: null,
  };
  const ratioRows = await engine.query(`
    with m as (
      select k.month, k.revenue_usd, avg(d.total) as mean_total
      from ins_kpis k join ins_daily d on strftime(d.day, '%Y-%m') = k.month
      where k.complete group by k.month, k.revenue_usd
    )
    select * from m order by month desc limit ${RATIO_MONTHS}`);
  const meanSum = ratioRows.reduce((s, r) => s + num(r.mean_total), 0);
  if (ratioRows.length === 0 || meanSum === 0)
    return {
      status: 'no_history',
      message: 'no complete month with online devices: nothing to scale the forecast by',
      ...empty,
    };
  const r = ratioRows.reduce((s, x) => s + num(x.revenue_usd), 0) / meanSum;
  const latest = ratioRows[0] as Record<string, unknown>;
  const base = {
    revenue_per_online_device: Math.round(r * 10000) / 10000,
    ratio_months: ratioRows.map((x) => String(x.month)).reverse(),
    last_actual: {
      month: String(latest.month),
      revenue_usd: num(latest.revenue_usd),
      mean_online_devices: Math.round(num(latest.mean_total) * 100) / 100,
    },
  };
  if (!w.forecastFile)
    return {
      ...empty,
      ...base,
      status: 'no_forecast',
      message:
        'forecast.csv is not in the run folder: run fleetpulse forecast on it to get a revenue projection',
    };
  try {
    await engine.query(`create or replace table ins_fc_raw as
      select * from read_csv(${lit(w.forecastFile)}, header = true, auto_detect = true)`);
  } catch (e) {
    return {
      ...empty,
      ...base,
      status: 'unusable_forecast',
      message: `forecast.csv cannot be read: ${(e as Error).message.split('\n')[0]}`,
    };
  }
  const cols = (await engine.query('describe ins_fc_raw')).map((x) => String(x.column_name));
  const missing = FORECAST_COLUMNS.filter((c) => !cols.includes(c));
  if (missing.length)
    return {
      ...empty,
      ...base,
      status: 'unusable_forecast',
      message: `forecast.csv lacks the column(s) ${missing.join(', ')} (expected ${FORECAST_COLUMNS.join(',')})`,
    };
  try {
    await engine.query(`create or replace table ins_fc as
      select cast(date as date) as day,
        greatest(cast(yhat as double), 0) as yhat,
        greatest(cast(lo80 as double), 0) as lo80, greatest(cast(hi80 as double), 0) as hi80,
        greatest(cast(lo95 as double), 0) as lo95, greatest(cast(hi95 as double), 0) as hi95
      from ins_fc_raw where cast(date as date) > ${dateLit(w.asOf)}`);
  } catch (e) {
    return {
      ...empty,
      ...base,
      status: 'unusable_forecast',
      message: `forecast.csv has a value that is not a date or a number: ${(e as Error).message.split('\n')[0]}`,
    };
  }
  const [chk] = await engine.query(
    'select count(*) as n, count(distinct day) as d, max(day) as last from ins_fc where yhat is not null',
  );
  if (num(chk?.n) === 0)
    return {
      ...empty,
      ...base,
      status: 'unusable_forecast',
      message: `forecast.csv has no day after ${w.asOf}`,
    };
  if (num(chk?.n) !== num(chk?.d))
    return { ...empty, ...base, status: 'unusable_forecast', message: 'forecast.csv repeats a date' };
  const months = await engine.query(`
    with fc_months as (select distinct date_trunc('month', day) as m from ins_fc),
    d as (
      select date_trunc('month', day) as m, day, total as yhat, total as lo80, total as hi80,
        total as lo95, total as hi95, 0 as is_fc
      from ins_daily where date_trunc('month', day) in (select m from fc_months)
      union all
      select date_trunc('month', day), day, yhat, lo80, hi80, lo95, hi95, 1 from ins_fc
    )
    select strftime(m, '%Y-%m') as month, count(distinct day) as days, sum(is_fc) as forecast_days,
      avg(yhat) as yhat, avg(lo80) as lo80, avg(hi80) as hi80, avg(lo95) as lo95, avg(hi95) as hi95
    from d group by m
    having count(distinct day) = day(last_day(m))
    order by m`);
  if (months.length === 0)
    return {
      ...empty,
      ...base,
      status: 'unusable_forecast',
      message: 'the forecast covers no whole calendar month after the data',
    };
  const proj: ProjectedMonth[] = months.map((m) => ({
    month: String(m.month),
    days: num(m.days),
    forecast_days: num(m.forecast_days),
    mean_online_devices: round2(num(m.yhat)),
    revenue_usd: round2(r * num(m.yhat)),
    revenue_lo80: round2(r * num(m.lo80)),
    revenue_hi80: round2(r * num(m.hi80)),
    revenue_lo95: round2(r * num(m.lo95)),
    revenue_hi95: round2(r * num(m.hi95)),
  }));
  const lastDay = chk?.last instanceof Date ? chk.last.toISOString().slice(0, 10) : String(chk?.last);
  return {
    ...base,
    series: w.series,
    status: 'ok',
    message: `${proj.length} month(s) projected to ${proj.at(-1)?.month}`,
    months: proj,
    horizon_end: lastDay,
    total: {
      revenue_usd: round2(proj.reduce((s, m) => s + m.revenue_usd, 0)),
      lo80: round2(proj.reduce((s, m) => s + m.revenue_lo80, 0)),
      hi80: round2(proj.reduce((s, m) => s + m.revenue_hi80, 0)),
    },
  };
}

/** revenue_projection.csv: the complete actual months, then the projected ones with their ranges. */
export async function writeProjection(engine: Engine, p: ProjectionSummary, path: string): Promise<void> {
  const projected = p.months
    .map(
      (m) =>
        `(${lit(m.month)}, 'projected', ${m.mean_online_devices}, ${m.revenue_usd}, ${m.revenue_lo80}, ${m.revenue_hi80}, ${m.revenue_lo95}, ${m.revenue_hi95})`,
    )
    .join(', ');
  await engine.writeCsv(
    `select * from (
       select k.month, 'actual' as kind, round(avg(d.total), 2) as mean_online_devices, k.revenue_usd,
         cast(null as double) as revenue_lo80, cast(null as double) as revenue_hi80,
         cast(null as double) as revenue_lo95, cast(null as double) as revenue_hi95
       from ins_kpis k join ins_daily d on strftime(d.day, '%Y-%m') = k.month
       where k.complete group by k.month, k.revenue_usd
       ${projected ? `union all select * from (values ${projected})` : ''}
     ) order by month, kind`,
    path,
  );
}
