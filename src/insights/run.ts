import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDbEngine } from '../engine/duckdb.js';
import type { Engine } from '../engine/engine.js';
import { AtomicOutput } from '../util/atomic-output.js';
import { createProgress, type Progress } from '../util/progress.js';
import { isoToDay } from '../util/time.js';
import { VERSION } from '../version.js';
import {
  BUCKETS,
  buildBase,
  buildPriceTable,
  LEAD_LOOKBACK_DAYS,
  LEAD_WINDOW_DAYS,
  maxFleet,
  num,
} from './base.js';
import {
  buildCohorts,
  buildTimeToTarget,
  COHORT_FILES,
  type CohortSummary,
  FLEET_TARGET,
  type TimeToTarget,
} from './cohorts.js';
import {
  buildRepairs,
  buildRuleSensitivity,
  DATA_FILES,
  type RepairsSummary,
  type SensitivitySummary,
  skippedSensitivity,
} from './data-checks.js';
import { LEAD_RULES, type Lead, leadWindows, rankLeads, SEGMENTS, userStats, writeLeads } from './leads.js';
import { basisWords, type Method, methods } from './methods.js';
import {
  type BillingBasis,
  DEFAULT_PRICING_FILE,
  freePlan,
  loadPricing,
  type Plan,
  type PricingTable,
} from './pricing.js';
import { buildProjection, loadSeries, type ProjectionSummary, writeProjection } from './projection.js';
import {
  buildBill,
  REVENUE_FILES,
  type RevenueSummary,
  summarizeRevenue,
  writeRevenueFiles,
} from './revenue.js';
import { openRunFolder, RUN_FILES, type RunFolder } from './run-folder.js';

export interface InsightsOptions {
  /** A run folder written by analyze (and maybe forecast); the outputs go there too. */
  inDir: string;
  /** A plan table to use instead of the shipped one. */
  pricingFile?: string;
  /** Billing basis; default: the plan table's default_basis. */
  billing?: BillingBasis;
  quiet?: boolean;
  /** Re-run the clean view with the rule-4 variant (default true). */
  ruleSensitivity?: boolean;
  progress?: Progress;
}

/** Every file insights writes into the run folder; insights.json is written last. */
export const INSIGHTS_FILES = {
  json: 'insights.json',
  ...REVENUE_FILES,
  projection: 'revenue_projection.csv',
  leads: 'sales_leads.csv',
  ...COHORT_FILES,
  ...DATA_FILES,
} as const;

/** How many leads insights.json (and the report) lists; sales_leads.csv has them all. */
export const TOP_LEADS = 25;

export interface LeadsSummary {
  count: number;
  by_segment: Record<string, { users: number; score_usd: number }>;
  windows: { now: string; ago: string };
  history_days: number;
  /** False when the data is shorter than the 120 days the 90-day comparison needs. */
  history_ok: boolean;
  rules: typeof LEAD_RULES;
  free_limit: number | null;
  top: Lead[];
}

export interface InsightsReport {
  tool: { name: string; version: string };
  run_folder: string;
  first_day: string;
  as_of: string;
  pricing: {
    file: string;
    name: string;
    period: string;
    basis: BillingBasis;
    basis_source: 'option' | 'plan table';
    basis_meaning: string;
    plans: Plan[];
    sources: string[];
    doubts: string[];
  };
  revenue: RevenueSummary;
  projection: ProjectionSummary;
  leads: LeadsSummary;
  cohorts: CohortSummary;
  time_to_10: TimeToTarget;
  repairs: RepairsSummary;
  rule_sensitivity: SensitivitySummary;
  flags: string[];
  methods: Record<string, Method>;
  buckets: readonly string[];
  files: string[];
}

export interface InsightsResult {
  out: string;
  files: string[];
  report: InsightsReport;
}

/** `fleetpulse insights`: revenue, projection, sales leads, cohorts and data checks from a run folder. */
export async function insights(opts: InsightsOptions): Promise<InsightsResult> {
  const progress = opts.progress ?? createProgress({ quiet: opts.quiet });
  const run = openRunFolder(opts.inDir);
  const table = loadPricing(opts.pricingFile ?? DEFAULT_PRICING_FILE);
  const basis = opts.billing ?? table.billing.default_basis;
  const engine = await DuckDbEngine.open();
  let out: AtomicOutput | undefined;
  try {
    out = new AtomicOutput(opts.inDir, INSIGHTS_FILES.json);
    const report = await build(engine, run, table, basis, opts, out, progress);
    const produced = new Set(report.files);
    // An earlier run's file that this run did not produce (no forecast now) would be stale.
    for (const f of Object.values(INSIGHTS_FILES))
      if (!produced.has(f)) rmSync(join(opts.inDir, f), { force: true });
    const files = out.commit();
    return { out: opts.inDir, files, report };
  } finally {
    out?.abort();
    await engine.close();
  }
}

async function build(
  engine: Engine,
  run: RunFolder,
  table: PricingTable,
  basis: BillingBasis,
  opts: InsightsOptions,
  out: AtomicOutput,
  progress: Progress,
): Promise<InsightsReport> {
  const inRun = (f: string) => join(run.dir, f);
  const files: string[] = [];
  const staged = (f: string) => {
    files.push(f);
    return out.path(f);
  };
  await progress.stage(
    'read device_days.parquet',
    async () => {
      await buildBase(engine, {
        deviceDaysFile: inRun(RUN_FILES.deviceDays),
        firstDay: run.firstDay,
        asOf: run.asOf,
      });
      await loadSeries(
        engine,
        inRun(run.forecastSeries === 'rolling28' ? RUN_FILES.rolling28 : RUN_FILES.daily),
      );
      const [r] = await engine.query('select count(*) as n, count(distinct user_id) as u from ins_dd');
      return { deviceDays: num(r?.n), users: num(r?.u) };
    },
    (r) => `${r.deviceDays} device-days, ${r.users} users, ${run.firstDay} .. ${run.asOf}`,
  );
  const revenue = await progress.stage(
    `revenue (billing on ${basis})`,
    async () => {
      const most = await maxFleet(engine);
      // Leads price fleets up to twice today's size and the step past a plan's included devices.
      const needed = Math.max(2 * most, ...table.plans.map((p) => p.included_devices + 1)) + 1;
      await buildPriceTable(engine, table, needed);
      await buildBill(engine, basis);
      await writeRevenueFiles(engine, table, {
        monthly: staged(INSIGHTS_FILES.monthly),
        kpis: staged(INSIGHTS_FILES.kpis),
        byPlan: staged(INSIGHTS_FILES.byPlan),
      });
      return summarizeRevenue(engine, table, basis);
    },
    (r) => (r.last_month ? `${r.last_month.month}: $${r.last_month.revenue_usd}` : 'no complete month'),
  );
  const projection = await progress.stage(
    'revenue projection',
    async () => {
      const p = await buildProjection(engine, {
        asOf: run.asOf,
        forecastFile: run.hasForecast ? inRun(RUN_FILES.forecast) : null,
        series: run.forecastSeries,
      });
      if (p.status === 'ok') await writeProjection(engine, p, staged(INSIGHTS_FILES.projection));
      return p;
    },
    (p) => p.message,
  );
  const leads = await progress.stage(
    'sales leads',
    async () => {
      const stats = await userStats(engine, basis, run.asOf);
      const ranked = rankLeads(stats, table);
      writeLeads(ranked, staged(INSIGHTS_FILES.leads));
      return summarizeLeads(ranked, run, table);
    },
    (l) => `${l.count} leads`,
  );
  const { cohorts, time } = await progress.stage(
    'cohorts',
    async () => ({
      cohorts: await buildCohorts(engine, {
        devices: staged(INSIGHTS_FILES.devices),
        users: staged(INSIGHTS_FILES.users),
      }),
      time: await buildTimeToTarget(engine, run, staged(INSIGHTS_FILES.timeTo10)),
    }),
    (c) =>
      `${c.cohorts.device_cohorts} device cohorts, ${c.time.reached} users reached ${FLEET_TARGET} devices`,
  );
  const flags = await dataFlags(engine, run, revenue, basis);
  await engine.drop('ins_dd');
  await engine.drop('ins_user_period');
  const repairs = await progress.stage(
    'lost events per server',
    async () => {
      const r = await buildRepairs(
        engine,
        run.hasRepairs ? inRun(RUN_FILES.repairsByServer) : null,
        out.path(INSIGHTS_FILES.serverLosses),
      );
      if (r.status === 'ok') files.push(INSIGHTS_FILES.serverLosses);
      return r;
    },
    (r) => r.message,
  );
  const sensitivity =
    opts.ruleSensitivity === false
      ? skippedSensitivity(run.eventsFile)
      : await progress.stage(
          're-run the clean view with the rule-4 variant',
          async () => {
            const s = await buildRuleSensitivity(engine, run, out.path(INSIGHTS_FILES.ruleSensitivity));
            if (s.status === 'ok') files.push(INSIGHTS_FILES.ruleSensitivity);
            return s;
          },
          (s) => (s.status === 'ok' ? `${s.days_different} of ${s.days} days differ` : s.message),
        );
  if (sensitivity.status !== 'ok' && sensitivity.status !== 'skipped') flags.push(sensitivity.message);
  files.push(INSIGHTS_FILES.json);
  const report: InsightsReport = {
    tool: { name: 'fleetpulse', version: VERSION },
    run_folder: resolve(run.dir),
    first_day: run.firstDay,
    as_of: run.asOf,
    pricing: {
      file: table.file,
      name: table.name,
      period: table.period,
      basis,
      basis_source: opts.billing ? 'option' : 'plan table',
      basis_meaning: basisWords(basis),
      plans: table.plans,
      sources: table.sources,
      doubts: table.doubts,
    },
    revenue,
    projection,
    leads,
    cohorts,
    time_to_10: time,
    repairs,
    rule_sensitivity: sensitivity,
    flags,
    methods: methods(table, basis),
    buckets: BUCKETS,
    files,
  };
  writeFileSync(out.path(INSIGHTS_FILES.json), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

function summarizeLeads(ranked: Lead[], run: RunFolder, table: PricingTable): LeadsSummary {
  const bySegment: LeadsSummary['by_segment'] = {};
  for (const s of SEGMENTS) bySegment[s] = { users: 0, score_usd: 0 };
  for (const l of ranked) {
    const b = bySegment[l.segment] as { users: number; score_usd: number };
    b.users += 1;
    b.score_usd = Math.round((b.score_usd + l.score) * 100) / 100;
  }
  const historyDays = (isoToDay(run.asOf) ?? 0) - (isoToDay(run.firstDay) ?? 0) + 1;
  return {
    count: ranked.length,
    by_segment: bySegment,
    windows: leadWindows(run.asOf),
    history_days: historyDays,
    history_ok: historyDays >= LEAD_LOOKBACK_DAYS + LEAD_WINDOW_DAYS,
    rules: LEAD_RULES,
    free_limit: freePlan(table)?.included_devices ?? null,
    top: ranked.slice(0, TOP_LEADS),
  };
}

/** Things about the data a reader of the figures should know. */
async function dataFlags(
  engine: Engine,
  run: RunFolder,
  revenue: RevenueSummary,
  basis: BillingBasis,
): Promise<string[]> {
  const flags: string[] = [];
  const [m] = await engine.query(`
    select (select count(*) from ins_periods where kind = 'month' and not complete) as partial,
      (select string_agg(key, ', ' order by key) from ins_periods where kind = 'month' and not complete) as which`);
  if (num(m?.partial) > 0)
    flags.push(
      `Partial month(s) ${String(m?.which)}: fewer days than a full month, left out of the month comparisons and cohorts.`,
    );
  const [o] = await engine.query(`
    select count(*) as devices, count(*) filter (where owners > 1) as moved
    from (select device_id, count(distinct user_id) as owners from ins_dd group by device_id)`);
  if (num(o?.moved) > 0)
    flags.push(
      `${num(o?.moved)} of ${num(o?.devices)} devices were owned by more than one user over the data; each device-day is billed to that day's owner.`,
    );
  const [z] = await engine.query(`
    select count(*) as n from ins_user_period where kind = 'month' and b_${basis} = 0`);
  if (num(z?.n) > 0)
    flags.push(
      `${num(z?.n)} user-months with devices online have 0 billable devices under the ${basis} basis (online on too few days) and no bill.`,
    );
  flags.push(
    `The data starts on ${run.firstDay}: devices and users already active then land in the first cohort (left-censored).`,
  );
  if (revenue.complete_months === 0)
    flags.push('No complete calendar month in the data: no monthly revenue figure.');
  return flags;
}
