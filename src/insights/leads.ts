import { writeFileSync } from 'node:fs';
import type { Engine } from '../engine/engine.js';
import { basisColumn, dateLit, LEAD_LOOKBACK_DAYS, LEAD_WINDOW_DAYS, num } from './base.js';
import { type BillingBasis, freePlan, type PricingTable, planFor } from './pricing.js';

export const SEGMENTS = ['upgrade', 'expansion', 'upsell', 'churn_risk', 'returning'] as const;
export type Segment = (typeof SEGMENTS)[number];

/** The thresholds of each segment (written into insights.json and the docs). */
export const LEAD_RULES = {
  /** expansion: at least this many more devices than 90 days ago ... */
  expansionMinDevices: 5,
  /** ... and at least this relative growth (a new fleet, 0 devices 90 days ago, qualifies). */
  expansionMinGrowth: 0.5,
  /** upsell: the fleet fills at least this share of its plan's included devices, without going over. */
  upsellFill: 0.8,
  /** churn_risk: a fleet of at least this many devices 90 days ago ... */
  churnMinDevices: 10,
  /** ... that lost at least this share of them ... */
  churnMinLoss: 0.3,
  /** ... and at least this many devices. */
  churnMinLostDevices: 3,
  /** returning: back online in the last 30 days after at least this many days with no device online. */
  returningMinGapDays: 90,
} as const;

/** One user's figures that the segments are decided on. */
export interface UserStats {
  user_id: number;
  /** Billable devices over the last 30 days (the billing basis over that window). */
  devices_now: number;
  /** The same over the 30 days ending 90 days before as_of. */
  devices_90d_ago: number;
  first_seen: string;
  last_seen: string;
  /** The day the user came back after a long gap (in the last 30 days), or null. */
  return_day: string | null;
  /** The last online day before that gap. */
  last_before_gap: string | null;
  gap_days: number | null;
}

export interface Lead {
  user_id: number;
  segment: Segment;
  /** Estimated monthly revenue at stake, USD. */
  score: number;
  reason: string;
  devices_now: number;
  devices_90d_ago: number;
  plan_now: string;
  growth_90d: number;
  /** Relative growth over 90 days; null for a new fleet (0 devices 90 days ago). */
  growth_pct: number | null;
  revenue_now_usd: number;
  revenue_90d_ago_usd: number;
  first_seen: string;
  last_seen: string;
  other_segments: string;
}

export const LEAD_COLUMNS: (keyof Lead)[] = [
  'user_id',
  'segment',
  'score',
  'reason',
  'devices_now',
  'devices_90d_ago',
  'plan_now',
  'growth_90d',
  'growth_pct',
  'revenue_now_usd',
  'revenue_90d_ago_usd',
  'first_seen',
  'last_seen',
  'other_segments',
];

const iso = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
};

/** Per user: billable devices now and 90 days ago under the basis, first and last day, a recent return. */
export async function userStats(engine: Engine, basis: BillingBasis, asOf: string): Promise<UserStats[]> {
  const col = basisColumn(basis);
  const a = dateLit(asOf);
  const rowsOut = await engine.query(`
    with u as (select user_id, min(day) as first_seen, max(day) as last_seen from ins_user_daily group by user_id),
    now as (select user_id, ${col} as b from ins_user_period where kind = 'lead' and key = 'now'),
    ago as (select user_id, ${col} as b from ins_user_period where kind = 'lead' and key = 'ago'),
    g as (select user_id, day, lag(day) over (partition by user_id order by day) as prev from ins_user_daily),
    ret as (
      select user_id, max(day) as return_day, arg_max(prev, day) as last_before_gap,
        arg_max(cast(day - prev - 1 as integer), day) as gap_days
      from g
      where prev is not null and day - prev - 1 >= ${LEAD_RULES.returningMinGapDays}
        and day >= ${a} - ${LEAD_WINDOW_DAYS - 1}
      group by user_id
    )
    select u.user_id, coalesce(now.b, 0) as devices_now, coalesce(ago.b, 0) as devices_90d_ago,
      u.first_seen, u.last_seen, ret.return_day, ret.last_before_gap, ret.gap_days
    from u left join now using (user_id) left join ago using (user_id) left join ret using (user_id)
    where coalesce(now.b, 0) > 0 or coalesce(ago.b, 0) > 0 or ret.user_id is not null
    order by u.user_id`);
  return rowsOut.map((r) => ({
    user_id: num(r.user_id),
    devices_now: num(r.devices_now),
    devices_90d_ago: num(r.devices_90d_ago),
    first_seen: iso(r.first_seen) ?? '',
    last_seen: iso(r.last_seen) ?? '',
    return_day: iso(r.return_day),
    last_before_gap: iso(r.last_before_gap),
    gap_days: r.gap_days === null || r.gap_days === undefined ? null : num(r.gap_days),
  }));
}

export function usd(x: number): string {
  const r = Math.round(x * 100) / 100;
  const s = Number.isInteger(r)
    ? r.toLocaleString('en-US')
    : r.toLocaleString('en-US', { minimumFractionDigits: 2 });
  return `$${s}`;
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${Math.round(x * 100)}%`;
const r2 = (x: number) => Math.round(x * 100) / 100;

interface Candidate {
  segment: Segment;
  score: number;
  reason: string;
}

/** Decides the segments of one user; pure, so the rules are tested on hand-made figures. */
export function segmentsOf(s: UserStats, table: PricingTable): Candidate[] {
  const out: Candidate[] = [];
  const now = s.devices_now;
  const ago = s.devices_90d_ago;
  const growth = now - ago;
  const pNow = planFor(table, now);
  const pAgo = planFor(table, ago);
  const free = freePlan(table);
  const planName = (n: number) => planFor(table, n).plan?.name ?? 'no plan';

  if (free && ago <= free.included_devices && now >= free.included_devices) {
    const L = free.included_devices;
    const target = planFor(table, Math.max(now, L + 1));
    const over = now > L;
    out.push({
      segment: 'upgrade',
      score: r2(target.cost - pAgo.cost),
      reason:
        (ago === 0
          ? `New fleet (no device 90 days ago); ${now} now, `
          : `On the free tier 90 days ago (${ago} device${ago === 1 ? '' : 's'}); ${now} now, `) +
        (over
          ? `over the free limit of ${L}: ${target.plan?.name} at ${usd(target.cost)}/month covers them.`
          : `at the free limit of ${L}: one more device needs ${target.plan?.name} at ${usd(target.cost)}/month.`),
    });
  }
  if (
    growth >= LEAD_RULES.expansionMinDevices &&
    (ago === 0 || growth / ago >= LEAD_RULES.expansionMinGrowth)
  ) {
    const next = planFor(table, now + growth);
    out.push({
      segment: 'expansion',
      score: r2(next.cost - pNow.cost),
      reason:
        (ago === 0
          ? `New fleet: no device 90 days ago, ${now} now.`
          : `Fleet grew from ${ago} to ${now} devices (+${growth}, ${pct(growth / ago)}) in 90 days.`) +
        ` At the same pace it reaches ${now + growth} in 90 more days: ${planName(now + growth)} at ` +
        `${usd(next.cost)}/month, against ${usd(pNow.cost)} now (+${usd(next.cost - pNow.cost)}).`,
    });
  }
  const plan = pNow.plan;
  if (
    plan &&
    pNow.cost > 0 &&
    now <= plan.included_devices &&
    now >= Math.ceil(LEAD_RULES.upsellFill * plan.included_devices) &&
    growth >= 0
  ) {
    const step = planFor(table, plan.included_devices + 1);
    const nextName =
      step.plan && step.plan.id !== plan.id ? step.plan.name : `${plan.name} with extra devices`;
    out.push({
      segment: 'upsell',
      score: r2(step.cost - pNow.cost),
      reason:
        `${plan.name} includes ${plan.included_devices} devices and the fleet uses ${now} ` +
        `(${Math.round((now / plan.included_devices) * 100)}%), not shrinking; device ${plan.included_devices + 1} ` +
        `moves it to ${nextName} at ${usd(step.cost)}/month (+${usd(step.cost - pNow.cost)}).`,
    });
  }
  const lost = ago - now;
  if (
    ago >= LEAD_RULES.churnMinDevices &&
    lost >= LEAD_RULES.churnMinLostDevices &&
    lost >= LEAD_RULES.churnMinLoss * ago
  ) {
    out.push({
      segment: 'churn_risk',
      score: r2(pAgo.cost),
      reason:
        `Fleet fell from ${ago} to ${now} devices (${pct(-lost / ago)}) in 90 days` +
        (now === 0 ? ', no device online in the last 30 days' : '') +
        `; monthly bill ${usd(pAgo.cost)} -> ${usd(pNow.cost)}. The account was worth ${usd(pAgo.cost)}/month.`,
    });
  }
  if (s.return_day && s.gap_days !== null) {
    out.push({
      segment: 'returning',
      score: r2(pNow.cost),
      reason:
        `Back on ${s.return_day} after ${s.gap_days} days with no device online (last seen ${s.last_before_gap}); ` +
        `${now} device${now === 1 ? '' : 's'} now, ${pNow.plan ? `${pNow.plan.name} at ${usd(pNow.cost)}/month` : 'no bill'}.`,
    });
  }
  return out;
}

/** Every user in at least one segment, one row each (their highest-scoring segment), ranked. */
export function rankLeads(stats: UserStats[], table: PricingTable): Lead[] {
  const leads: Lead[] = [];
  for (const s of stats) {
    const cands = segmentsOf(s, table);
    if (cands.length === 0) continue;
    const best = [...cands].sort(
      (a, b) => b.score - a.score || SEGMENTS.indexOf(a.segment) - SEGMENTS.indexOf(b.segment),
    )[0] as Candidate;
    const pNow = planFor(table, s.devices_now);
    const pAgo = planFor(table, s.devices_90d_ago);
    const growth = s.devices_now - s.devices_90d_ago;
    leads.push({
      user_id: s.user_id,
      segment: best.segment,
      score: best.score,
      reason: best.reason,
      devices_now: s.devices_now,
      devices_90d_ago: s.devices_90d_ago,
      plan_now: pNow.plan?.id ?? 'none',
      growth_90d: growth,
      growth_pct: s.devices_90d_ago > 0 ? Math.round((growth / s.devices_90d_ago) * 10000) / 10000 : null,
      revenue_now_usd: r2(pNow.cost),
      revenue_90d_ago_usd: r2(pAgo.cost),
      first_seen: s.first_seen,
      last_seen: s.last_seen,
      other_segments: cands
        .filter((c) => c !== best)
        .map((c) => c.segment)
        .join(';'),
    });
  }
  return leads.sort((a, b) => b.score - a.score || b.devices_now - a.devices_now || a.user_id - b.user_id);
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function writeLeads(leads: Lead[], path: string): void {
  const lines = [LEAD_COLUMNS.join(',')];
  for (const l of leads) lines.push(LEAD_COLUMNS.map((c) => csvField(l[c])).join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

export function leadWindows(asOf: string): { now: string; ago: string } {
  const d = (back: number) =>
    new Date(Date.parse(`${asOf}T00:00:00Z`) - back * 86_400_000).toISOString().slice(0, 10);
  return {
    now: `${d(LEAD_WINDOW_DAYS - 1)}..${asOf}`,
    ago: `${d(LEAD_LOOKBACK_DAYS + LEAD_WINDOW_DAYS - 1)}..${d(LEAD_LOOKBACK_DAYS)}`,
  };
}
