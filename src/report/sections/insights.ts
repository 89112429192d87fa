/**
 * The insights sections (order 400+): revenue by fleet size and plan, the
 * revenue projection, sales leads, cohorts, and data and infrastructure
 * checks. Each is built from insights.json and the CSV files `fleetpulse
 * insights` wrote into the run folder; without insights.json there is none.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LEFT_CENSOR_DAYS } from '../../insights/cohorts.js';
import type { Method } from '../../insights/methods.js';
import type { InsightsReport } from '../../insights/run.js';
import { INSIGHTS_FILES } from '../../insights/run.js';
import { BUCKETS } from '../buckets.js';
import {
  type Cell,
  esc,
  fmtDec2,
  fmtInt,
  fmtPct,
  fmtSigned,
  fmtSignedPct,
  num,
  plural,
  swatch,
  table,
} from '../format.js';
import { parseCsv } from '../run-folder.js';
import type { ChartSpec, SectionBuilder } from '../section.js';
import {
  type CohortRow,
  type CurvePoint,
  cohortHeatmap,
  type LossRow,
  type ProjectionRow,
  projectionChart,
  type RevenueRow,
  revenueByFleetChart,
  type SensitivityRow,
  sensitivityChart,
  serverLossChart,
  timeToTargetChart,
} from './insights-charts.js';

/** insights.json of a run folder, or undefined when insights has not run there. */
export function readInsights(runDir: string): InsightsReport | undefined {
  const p = join(runDir, INSIGHTS_FILES.json);
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as InsightsReport;
}

/** A CSV written by insights, as objects keyed by its header; numbers where a field looks numeric. */
export function readInsightsCsv(
  runDir: string,
  name: string,
): Record<string, string | number | null>[] | undefined {
  const p = join(runDir, name);
  if (!existsSync(p)) return undefined;
  const [head, ...rows] = parseCsv(readFileSync(p, 'utf8'));
  if (!head) return [];
  return rows.map((r) =>
    Object.fromEntries(
      head.fields.map((h, i) => {
        const v = r.fields[i] ?? '';
        if (v === '') return [h, null];
        return [h, /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v) ? Number(v) : v];
      }),
    ),
  );
}

export function usd(x: number, decimals = x % 1 === 0 ? 0 : 2): string {
  const s = Math.abs(x).toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  return `${x < 0 ? '−' : ''}$${s}`;
}

const na = { html: '<span class="na">—</span>', num: true } as const;
const money = (x: number | null | undefined, decimals?: number): Cell =>
  x === null || x === undefined ? na : num(usd(x, decimals));
const pctCell = (x: number | null | undefined): Cell => (x === null || x === undefined ? na : num(fmtPct(x)));

function card(label: string, value: string, sub: string): string {
  return `<div class="card"><div class="card-label">${esc(label)}</div><div class="card-value">${esc(value)}</div><div class="card-sub">${esc(sub)}</div></div>`;
}

function note(text: string): string {
  return `<p class="note">${esc(text)}</p>`;
}

/** The written approach, why, assumptions and drawbacks of one insight. */
export function methodHtml(m: Method | undefined): string {
  if (!m) return '';
  const list = (xs: string[]) => `<ul>${xs.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`;
  return [
    '<h3>How this was made</h3>',
    `<p><strong>Approach.</strong> ${esc(m.approach)}</p>`,
    `<p><strong>Why.</strong> ${esc(m.why)}</p>`,
    `<p><strong>Assumptions.</strong></p>${list(m.assumptions)}`,
    `<p><strong>Drawbacks.</strong></p>${list(m.drawbacks)}`,
  ].join('\n');
}

const bucketCell = (label: string): Cell => {
  const b = BUCKETS.find((x) => x.label === label);
  return b ? swatch(label, b.color) : label;
};

// ---------------------------------------------------------------------------

/** Section "Revenue by fleet size and plan". */
export const insightsRevenueSection: SectionBuilder = async (runDir) => {
  const r = readInsights(runDir);
  if (!r) return undefined;
  const rev = r.revenue;
  const last = rev.last_month;
  const charts: ChartSpec[] = [];
  const parts: string[] = [];
  const pricingName = `${r.pricing.name} (${basename(r.pricing.file)})`;
  parts.push(
    `<p>What the fleets would pay under the plan table <strong>${esc(pricingName)}</strong>, each user on the cheapest plan that covers the month's billable devices; billable devices = ${esc(r.pricing.basis_meaning)} (basis <code>${esc(r.pricing.basis)}</code>, from the ${esc(r.pricing.basis_source)}).</p>`,
  );
  if (!last) {
    parts.push(note('The data holds no complete calendar month: no monthly revenue figure.'));
  } else {
    parts.push(
      '<div class="cards">',
      card(
        `Revenue, ${last.month}`,
        usd(last.revenue_usd),
        `${fmtInt(last.billable_devices)} billable devices`,
      ),
      card(
        'Paying users',
        fmtInt(last.paying_users),
        `of ${plural(last.users, 'user')} with devices online (${last.users > 0 ? fmtPct(last.paying_users / last.users) : '—'})`,
      ),
      card(
        'Revenue per billable device',
        last.revenue_per_device === null ? '—' : usd(last.revenue_per_device, 2),
        `${last.revenue_per_paying_device === null ? '—' : usd(last.revenue_per_paying_device, 2)} per paying device`,
      ),
      card(
        'Revenue per paying user',
        last.revenue_per_paying_user === null ? '—' : usd(last.revenue_per_paying_user, 2),
        `${last.revenue_per_user === null ? '—' : usd(last.revenue_per_user, 2)} per user with devices online`,
      ),
      card(
        'Paid by the 10 largest payers',
        rev.top10_share === null ? '—' : fmtPct(rev.top10_share),
        `of ${last.month}'s revenue`,
      ),
      '</div>',
    );
    const g = rev.growth;
    const growthText = [
      g.vs_3_months_ago === null ? null : `${fmtSignedPct(g.vs_3_months_ago)} on 3 months earlier`,
      g.vs_12_months_ago === null ? null : `${fmtSignedPct(g.vs_12_months_ago)} on 12 months earlier`,
    ].filter(Boolean);
    if (growthText.length) parts.push(`<p>Revenue of ${esc(last.month)}: ${esc(growthText.join(', '))}.</p>`);
  }
  const monthly = readInsightsCsv(runDir, INSIGHTS_FILES.monthly) as unknown as RevenueRow[] | undefined;
  if (monthly && monthly.length > 0) {
    charts.push({
      name: 'insights_revenue_by_fleet',
      title: 'Monthly revenue by fleet size',
      description: 'Stacked bars of monthly revenue per fleet-size bucket of billable devices.',
      spec: revenueByFleetChart(
        monthly,
        `fleet size = billable devices · ${basename(r.pricing.file)} · billing on ${r.pricing.basis} · cheapest plan per user and month`,
      ),
    });
    parts.push('<div data-chart="insights_revenue_by_fleet"></div>');
  }
  if (last) {
    parts.push(
      table(
        [
          'Fleet size',
          { html: 'Users', num: true },
          { html: 'Billable devices', num: true },
          { html: 'Revenue', num: true },
          { html: 'Share of revenue', num: true },
        ],
        rev.by_bucket.map((b) => [
          bucketCell(b.bucket),
          b.users,
          b.billable_devices,
          money(b.revenue_usd),
          pctCell(b.share),
        ]),
        { caption: `${last.month} by fleet size (billable devices)` },
      ),
      table(
        [
          'Plan',
          { html: 'Users', num: true },
          { html: 'Billable devices', num: true },
          { html: 'Revenue', num: true },
        ],
        rev.by_plan.map((p) => [p.name, p.users, p.billable_devices, money(p.revenue_usd)]),
        { caption: `${last.month} by plan` },
      ),
    );
  }
  if (rev.recent.length > 0) {
    parts.push(
      table(
        [
          'Month',
          { html: 'Users', num: true },
          { html: 'Paying users', num: true },
          { html: 'Billable devices', num: true },
          { html: 'Revenue', num: true },
          { html: 'Per device', num: true },
          { html: 'Per paying device', num: true },
          { html: 'Per user', num: true },
          { html: 'Per paying user', num: true },
        ],
        rev.recent.map((m) => [
          m.month,
          m.users,
          m.paying_users,
          m.billable_devices,
          money(m.revenue_usd),
          money(m.revenue_per_device, 2),
          money(m.revenue_per_paying_device, 2),
          money(m.revenue_per_user, 2),
          money(m.revenue_per_paying_user, 2),
        ]),
        {
          caption: `Revenue per device and per user, last ${rev.recent.length} complete months (all months: ${INSIGHTS_FILES.kpis})`,
        },
      ),
      table(
        [
          'Billing basis',
          { html: `Revenue ${last?.month ?? ''}`, num: true },
          { html: `Revenue, last ${Math.min(12, rev.complete_months)} complete months`, num: true },
        ],
        rev.by_basis.map((b) => [
          b.basis === rev.basis ? `${b.basis} (used)` : b.basis,
          money(b.last_month_usd),
          money(b.last_12_months_usd),
        ]),
        { caption: 'The same fleets billed on each basis' },
      ),
    );
  }
  parts.push(
    '<h3>The plan table</h3>',
    table(
      [
        'Plan',
        { html: 'Base price', num: true },
        { html: 'Included devices', num: true },
        { html: 'Extra device', num: true },
        'Source',
      ],
      r.pricing.plans.map((p) => [
        p.name,
        money(p.base_usd),
        p.included_devices,
        p.extra_device_usd === null
          ? 'none'
          : { html: esc(`${usd(p.extra_device_usd, 2)}/month`), num: true },
        { html: `${p.assumption ? '<strong>Assumption.</strong> ' : ''}${esc(p.source)}` },
      ]),
      { caption: `${r.pricing.name}: ${r.pricing.file}` },
    ),
  );
  if (r.pricing.doubts.length)
    parts.push(
      `<p><strong>Doubts about the prices.</strong></p><ul>${r.pricing.doubts.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>`,
    );
  if (r.pricing.sources.length)
    parts.push(
      `<p><strong>Sources.</strong></p><ul>${r.pricing.sources.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>`,
    );
  parts.push(methodHtml(r.methods.revenue));
  return {
    id: 'insights-revenue',
    title: 'Revenue by fleet size and plan',
    order: 400,
    html: parts.join('\n'),
    charts,
  };
};

/** Section "Where revenue is heading". */
export const insightsProjectionSection: SectionBuilder = async (runDir) => {
  const r = readInsights(runDir);
  if (!r) return undefined;
  const p = r.projection;
  const charts: ChartSpec[] = [];
  const parts: string[] = [];
  if (p.revenue_per_online_device !== null && p.last_actual)
    parts.push(
      `<p>Over ${esc(p.ratio_months.join(', '))}, each average online device (${p.series === 'rolling28' ? 'rolling 28-day' : 'daily'} total) brought ${esc(usd(p.revenue_per_online_device, 2))} a month. ${esc(p.last_actual.month)}: ${esc(usd(p.last_actual.revenue_usd))} from ${fmtInt(Math.round(p.last_actual.mean_online_devices))} online devices on average.</p>`,
    );
  if (p.status !== 'ok') {
    parts.push(note(`No revenue projection: ${p.message}.`));
  } else {
    const first = p.months[0];
    const lastM = p.months.at(-1);
    parts.push(
      `<p><strong>Assumption:</strong> the mix of fleet sizes stays as in ${esc(p.ratio_months.join(', '))}, so revenue per online device stays at ${esc(usd(p.revenue_per_online_device ?? 0, 2))}; new devices split across small and large fleets (and so across free and paid plans) as they do now.</p>`,
    );
    if (first && lastM && p.total)
      parts.push(
        `<p>Projected revenue from ${esc(first.month)} to ${esc(lastM.month)} (${plural(p.months.length, 'month')}, forecast to ${esc(p.horizon_end ?? '')}): ${esc(usd(p.total.revenue_usd))} in all (80% range ${esc(usd(p.total.lo80))} to ${esc(usd(p.total.hi80))}); ${esc(lastM.month)} alone ${esc(usd(lastM.revenue_usd))} (80% range ${esc(usd(lastM.revenue_lo80))} to ${esc(usd(lastM.revenue_hi80))}), against ${esc(usd(p.last_actual?.revenue_usd ?? 0))} in ${esc(p.last_actual?.month ?? '')}.</p>`,
      );
    const rows = readInsightsCsv(runDir, INSIGHTS_FILES.projection) as unknown as ProjectionRow[] | undefined;
    if (rows && rows.length > 0) {
      charts.push({
        name: 'insights_revenue_projection',
        title: 'Monthly revenue: actual and projected',
        description: 'Monthly revenue, actual then projected from the forecast, with 80% and 95% ranges.',
        spec: projectionChart(
          rows,
          `revenue per online device ${usd(p.revenue_per_online_device ?? 0, 2)} × forecast mean online devices · bands: 80% and 95% ranges`,
        ),
      });
      parts.push('<div data-chart="insights_revenue_projection"></div>');
    }
    parts.push(
      table(
        [
          'Month',
          { html: 'Mean online devices', num: true },
          { html: 'Revenue', num: true },
          { html: '80% range', num: true },
          { html: '95% range', num: true },
        ],
        p.months.map((m) => [
          m.forecast_days < m.days ? `${m.month} (${m.days - m.forecast_days} days observed)` : m.month,
          num(fmtInt(Math.round(m.mean_online_devices))),
          money(m.revenue_usd),
          num(`${usd(m.revenue_lo80)} – ${usd(m.revenue_hi80)}`),
          num(`${usd(m.revenue_lo95)} – ${usd(m.revenue_hi95)}`),
        ]),
        { caption: `Projected months (${INSIGHTS_FILES.projection})` },
      ),
    );
  }
  parts.push(methodHtml(r.methods.projection));
  return {
    id: 'insights-projection',
    title: 'Where revenue is heading',
    order: 410,
    html: parts.join('\n'),
    charts,
  };
};

const SEGMENT_WORDS: Record<string, string> = {
  upgrade: 'Upgrade: free tier at or over its limit',
  expansion: 'Expansion: fastest-growing fleets',
  upsell: "Upsell: near their plan's included devices",
  churn_risk: 'Churn risk: large fleets shrinking (customer success)',
  returning: 'Returning users',
};

/** Section "Sales leads". */
export const insightsLeadsSection: SectionBuilder = async (runDir) => {
  const r = readInsights(runDir);
  if (!r) return undefined;
  const l = r.leads;
  const parts: string[] = [];
  parts.push(
    `<p>${plural(l.count, 'user')} to call, ranked by the monthly revenue at stake (score, USD). Fleet sizes: billable devices (basis <code>${esc(r.pricing.basis)}</code>) over ${esc(l.windows.now)} against ${esc(l.windows.ago)}. The full list with its evidence columns is <code>${esc(INSIGHTS_FILES.leads)}</code>.</p>`,
  );
  if (!l.history_ok)
    parts.push(
      note(
        `The data covers ${plural(l.history_days, 'day')}, fewer than the 120 the 90-day comparison needs: "90 days ago" falls (partly) before the data and counts as no devices, so growth and new fleets are overstated.`,
      ),
    );
  if (l.free_limit === null) parts.push(note('The plan table has no free tier: no upgrade leads.'));
  parts.push(
    table(
      ['Segment', { html: 'Users', num: true }, { html: 'Monthly revenue at stake', num: true }],
      Object.entries(l.by_segment).map(([s, v]) => [SEGMENT_WORDS[s] ?? s, v.users, money(v.score_usd)]),
      { caption: 'Leads by segment (each user once, under the segment with the highest score)' },
    ),
  );
  if (l.top.length > 0) {
    parts.push(
      table(
        [
          { html: '#', num: true },
          'User',
          'Segment',
          { html: 'Score', num: true },
          { html: 'Devices now', num: true },
          { html: '90 days ago', num: true },
          'Plan now',
          'Why',
        ],
        l.top.map((x, i) => [
          i + 1,
          String(x.user_id),
          x.other_segments ? `${x.segment} (also ${x.other_segments.replaceAll(';', ', ')})` : x.segment,
          money(x.score, 2),
          x.devices_now,
          x.devices_90d_ago,
          x.plan_now,
          x.reason,
        ]),
        { caption: `Top ${l.top.length} of ${fmtInt(l.count)} leads` },
      ),
    );
  }
  parts.push(methodHtml(r.methods.leads));
  return { id: 'insights-leads', title: 'Sales leads', order: 420, html: parts.join('\n'), charts: [] };
};

/** Section "Cohorts". */
export const insightsCohortsSection: SectionBuilder = async (runDir) => {
  const r = readInsights(runDir);
  if (!r) return undefined;
  const c = r.cohorts;
  const t = r.time_to_10;
  const charts: ChartSpec[] = [];
  const parts: string[] = [];
  const ret = (x: Record<string, number | null>) => [1, 3, 6, 12].map((k) => pctCell(x[`month_${k}`]));
  parts.push(
    table(
      [
        '',
        { html: '1 month', num: true },
        { html: '3 months', num: true },
        { html: '6 months', num: true },
        { html: '12 months', num: true },
      ],
      [
        ['Devices still online', ...ret(c.device_retention)],
        ['Users with a device online', ...ret(c.user_retention)],
      ],
      {
        caption: `Retention after activation, all cohorts old enough (${plural(c.months, 'complete month')})`,
      },
    ),
  );
  for (const [who, file] of [
    ['devices', INSIGHTS_FILES.devices],
    ['users', INSIGHTS_FILES.users],
  ] as const) {
    const rows = readInsightsCsv(runDir, file) as unknown as CohortRow[] | undefined;
    if (rows && rows.length > 0) {
      const name = `insights_cohort_${who}`;
      charts.push({
        name,
        title: `${who === 'devices' ? 'Device' : 'User'} retention by activation month`,
        description: `Heatmap: share of each activation month's ${who} active k months later.`,
        spec: cohortHeatmap(
          rows,
          who,
          `${file} · complete months only · the first cohort holds everything active when the data starts`,
        ),
      });
      parts.push(`<div data-chart="${name}"></div>`);
    }
  }
  parts.push(`<h3>From the first device to ${t.target}</h3>`);
  const within = (k: string) =>
    t.share_within[k] === null || t.share_within[k] === undefined ? '—' : fmtPct(t.share_within[k] as number);
  parts.push(
    `<p>Of ${plural(t.users, 'user')} first seen after the data's first ${LEFT_CENSOR_DAYS} days (${fmtInt(t.left_out_left_censored)} earlier ones left out), ${fmtInt(t.reached)} reached ${t.target} devices online on one day. ` +
      (t.median_days_reached === null
        ? ''
        : `Those who did took ${fmtInt(t.median_days_reached)} days (median; quartiles ${fmtInt(t.p25_days_reached ?? 0)} and ${fmtInt(t.p75_days_reached ?? 0)}). `) +
      `Counting users still growing as followed until ${esc(r.as_of)} (Kaplan-Meier): ${within('d30')} reach it within 30 days, ${within('d90')} within 90, ${within('d180')} within 180, ${within('d365')} within a year${t.km_median_days === null ? '' : `; half of them within ${fmtInt(t.km_median_days)} days`}.</p>`,
  );
  const curve = readInsightsCsv(runDir, INSIGHTS_FILES.timeTo10) as unknown as CurvePoint[] | undefined;
  if (curve && curve.length > 0) {
    charts.push({
      name: 'insights_time_to_10',
      title: `Time from the first device to ${t.target} devices online`,
      description: `Kaplan-Meier share of users with ${t.target} or more devices online, by days since their first device.`,
      spec: timeToTargetChart(
        curve,
        t.target,
        `${INSIGHTS_FILES.timeTo10} · Kaplan-Meier, users not there yet followed until ${r.as_of}`,
      ),
    });
    parts.push('<div data-chart="insights_time_to_10"></div>');
  }
  parts.push(methodHtml(r.methods.cohorts));
  return {
    id: 'insights-cohorts',
    title: 'Cohorts and time to a 10-device fleet',
    order: 430,
    html: parts.join('\n'),
    charts,
  };
};

/** Section "Data and infrastructure". */
export const insightsDataSection: SectionBuilder = async (runDir) => {
  const r = readInsights(runDir);
  if (!r) return undefined;
  const charts: ChartSpec[] = [];
  const parts: string[] = [];
  const rep = r.repairs;
  parts.push('<h3>Which servers lose the most events</h3>');
  if (rep.status !== 'ok') {
    parts.push(note(rep.message));
  } else {
    parts.push(
      `<p>An estimated ${fmtInt(rep.lost_events)} events were lost across ${plural(rep.servers, 'server')} (${rep.online_events > 0 ? fmtDec2((100 * rep.lost_events) / rep.online_events) : '—'} per 100 sessions). The 10 servers that lose the most account for ${rep.top10_share === null ? '—' : fmtPct(rep.top10_share)} of them; servers absent from servers.csv for ${rep.unknown_servers_share === null ? '—' : fmtPct(rep.unknown_servers_share)}. The data-quality section shows the same counters by repair rule.</p>`,
    );
    const byRate = (rep.top_rate ?? []).filter((s) => s.lost_events > 0);
    if (byRate.length > 0)
      parts.push(
        `<p>Per session, the leakiest servers (among those with at least ${fmtInt(rep.rate_min_online_events)} online events, the median) are ${esc(
          byRate
            .map((s) => `${s.server_id} (${fmtDec2(s.lost_per_100_sessions ?? 0)} per 100 sessions)`)
            .join(', '),
        )}.</p>`,
      );
    const top = rep.top.filter((s) => s.lost_events > 0);
    if (top.length > 0) {
      charts.push({
        name: 'insights_server_losses',
        title: 'Estimated lost events by server',
        description: 'Bars of estimated lost events for the servers that lose the most.',
        spec: serverLossChart(
          top as LossRow[],
          `${INSIGHTS_FILES.serverLosses} · rule 1 + rule 2 + 2 × rule 4 + offline after offline`,
        ),
      });
      parts.push(
        '<div data-chart="insights_server_losses"></div>',
        table(
          [
            'Server',
            'In servers.csv',
            { html: 'Online events', num: true },
            { html: 'Lost events', num: true },
            { html: 'Per 100 sessions', num: true },
            { html: 'Rule 1', num: true },
            { html: 'Rule 2', num: true },
            { html: 'Rule 4', num: true },
            { html: 'Offline after offline', num: true },
          ],
          top.map((s) => [
            String(s.server_id),
            s.known_server ? 'yes' : 'no',
            s.online_events,
            s.lost_events,
            s.lost_per_100_sessions === null ? na : num(fmtDec2(s.lost_per_100_sessions)),
            s.rule_1,
            s.rule_2,
            s.rule_4,
            s.offline_after_offline,
          ]),
          { caption: `Top ${top.length} servers by estimated lost events` },
        ),
      );
    }
  }
  const s = r.rule_sensitivity;
  parts.push('<h3>How much the metric depends on rule 4</h3>');
  if (s.status !== 'ok') {
    parts.push(note(`No rule-4 comparison: ${s.message}.`));
  } else {
    const ld = s.last_day;
    parts.push(
      `<p>Ending a rule-4 interval at the earlier of the server's destruction and the next event (instead of at the destruction alone) changes the daily total on ${plural(s.days_different, 'day')} of ${fmtInt(s.days)}` +
        (s.days_different > 0
          ? `, by ${fmtInt(s.max_abs_difference)} devices at most (${esc(s.max_abs_difference_date ?? '')}) and ${s.mean_relative_difference === null ? '—' : fmtSignedPct(s.mean_relative_difference)} on average; device-days ${fmtInt(s.device_days_literal)} → ${fmtInt(s.device_days_alternative)} (${fmtSigned(s.device_days_alternative - s.device_days_literal)})`
          : '') +
        (ld
          ? `. On ${esc(ld.date)}: ${fmtInt(ld.literal)} (literal) against ${fmtInt(ld.alternative)} (${fmtSigned(ld.difference)}).`
          : '.') +
        '</p>',
    );
    const rows = readInsightsCsv(runDir, INSIGHTS_FILES.ruleSensitivity) as unknown as
      | SensitivityRow[]
      | undefined;
    if (rows && rows.length > 0) {
      charts.push({
        name: 'insights_rule_sensitivity',
        title: 'Rule 4 sensitivity: daily online devices',
        description: 'Daily totals under the literal rule 4 and the alternative, and their difference.',
        spec: sensitivityChart(
          rows,
          `${INSIGHTS_FILES.ruleSensitivity} · the same export and as_of (${r.as_of}), re-run with the variant`,
        ),
      });
      parts.push('<div data-chart="insights_rule_sensitivity"></div>');
    }
  }
  if (r.flags.length)
    parts.push(
      '<h3>Worth knowing about these figures</h3>',
      `<ul>${r.flags.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>`,
    );
  parts.push(methodHtml(r.methods.data));
  return {
    id: 'insights-data',
    title: 'Data and infrastructure checks',
    order: 440,
    html: parts.join('\n'),
    charts,
  };
};

/** Every insights section builder, in order. */
export const INSIGHTS_SECTIONS: SectionBuilder[] = [
  insightsRevenueSection,
  insightsProjectionSection,
  insightsLeadsSection,
  insightsCohortsSection,
  insightsDataSection,
];
