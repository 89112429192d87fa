/**
 * Business insights: plan assignment at the plan boundaries, the billing
 * bases on hand-made months, the plan-table validation, every sales-lead
 * segment on a hand-made fleet history, and the revenue projection.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { rankLeads, segmentsOf, type UserStats } from '../src/insights/leads.js';
import {
  DEFAULT_PRICING_FILE,
  loadPricing,
  type PricingTable,
  planFor,
  validatePricing,
} from '../src/insights/pricing.js';
import { insights } from '../src/insights/run.js';
import { InputError } from '../src/util/errors.js';
import { removeTempDirs, tempDir } from './helpers/fixtures.js';

afterAll(removeTempDirs);

const table = loadPricing();

/** A table for boundary tests, independent of the shipped prices. */
const TEST_TABLE: PricingTable = validatePricing(
  {
    currency: 'USD',
    plans: [
      { id: 'free', name: 'Free', base_usd: 0, included_devices: 10, extra_device_usd: null },
      { id: 'prototype', name: 'Prototype', base_usd: 99, included_devices: 20, extra_device_usd: null },
      {
        id: 'pilot',
        name: 'Pilot',
        base_usd: 249,
        included_devices: 50,
        extra_device_usd: 1.5,
        max_devices: 100,
      },
      { id: 'production', name: 'Production', base_usd: 399, included_devices: 100, extra_device_usd: 1.5 },
    ],
  },
  'test-table.json',
);

describe('plan assignment', () => {
  it.each([
    [0, null, 0],
    [1, 'free', 0],
    [10, 'free', 0],
    [11, 'prototype', 99],
    [20, 'prototype', 99],
    [21, 'pilot', 249],
    [50, 'pilot', 249],
    [51, 'pilot', 250.5],
    [100, 'pilot', 324],
    [101, 'production', 400.5],
    [1000, 'production', 1749],
  ])('%i devices -> %s at $%d', (n, plan, cost) => {
    const c = planFor(TEST_TABLE, n);
    expect(c.plan?.id ?? null).toBe(plan);
    expect(c.cost).toBe(cost);
  });

  it('the shipped table holds the 2018 facts and puts the boundaries in the same places', () => {
    const byId = Object.fromEntries(table.plans.map((p) => [p.id, p]));
    expect(byId.free).toMatchObject({
      base_usd: 0,
      included_devices: 10,
      extra_device_usd: null,
      assumption: false,
    });
    expect(byId.prototype).toMatchObject({ base_usd: 99, included_devices: 20, extra_device_usd: null });
    expect(byId.pilot).toMatchObject({ included_devices: 50, extra_device_usd: 1.5, assumption: true });
    expect(byId.production).toMatchObject({ included_devices: 100, extra_device_usd: 1.5, assumption: true });
    expect(table.billing.default_basis).toBe('max');
    const ids = (t: PricingTable) =>
      [0, 1, 10, 11, 20, 21, 50, 51, 100, 101, 1000].map((n) => planFor(t, n).plan?.id);
    expect(ids(table)).toEqual(ids(TEST_TABLE));
    expect(planFor(table, 51).cost - planFor(table, 50).cost).toBe(1.5);
  });

  it('takes the cheapest plan, and the earlier one on a tie', () => {
    const t = validatePricing(
      {
        currency: 'USD',
        plans: [
          { id: 'a', base_usd: 100, included_devices: 10, extra_device_usd: 5 },
          { id: 'b', base_usd: 150, included_devices: 50, extra_device_usd: 1 },
        ],
      },
      't.json',
    );
    expect(planFor(t, 19)).toMatchObject({ plan: { id: 'a' }, cost: 145 });
    expect(planFor(t, 20)).toMatchObject({ plan: { id: 'a' }, cost: 150 }); // tie with b: the earlier plan
    expect(planFor(t, 21)).toMatchObject({ plan: { id: 'b' }, cost: 150 });
    // Without Pilot's cap, Pilot plus extra devices stays $75 under Production for every fleet over 100.
    const uncapped = validatePricing(
      {
        currency: 'USD',
        plans: TEST_TABLE.plans.map((p) => ({ ...p, max_devices: null })),
      },
      'u.json',
    );
    expect(planFor(uncapped, 101)).toMatchObject({ plan: { id: 'pilot' }, cost: 325.5 });
    expect(planFor(uncapped, 5000).plan?.id).toBe('pilot');
  });
});

describe('plan table validation', () => {
  type Obj = Record<string, unknown>;
  type Raw = Obj & { plans: Obj[]; billing: Obj };
  const good = () => JSON.parse(readFileSync(DEFAULT_PRICING_FILE, 'utf8')) as Raw;
  const fails = (mutate: (o: Raw) => void) => {
    const o = good();
    mutate(o);
    try {
      validatePricing(o, 'p.json');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  it('names the field, the reason and the value', () => {
    expect(fails((o) => ((o.plans[1] as Obj).base_usd = -5))).toBe(
      "p.json: field plans[1].base_usd: must be a number >= 0: '-5'",
    );
    expect(fails((o) => ((o.plans[2] as Obj).base_usd = '249'))).toBe(
      "p.json: field plans[2].base_usd: must be a number >= 0: '249'",
    );
    expect(fails((o) => delete (o.plans[0] as Obj).included_devices)).toBe(
      "p.json: field plans[0].included_devices: is required: ''",
    );
    expect(fails((o) => ((o.plans[3] as Obj).included_devices = 10.5))).toBe(
      "p.json: field plans[3].included_devices: must be a whole number >= 0: '10.5'",
    );
    expect(fails((o) => ((o.plans[2] as Obj).extra_devices_usd = 1.5))).toMatch(
      /^p\.json: field plans\[2\]\.extra_devices_usd: unknown field \(expected one of .*\): '1\.5'$/,
    );
    expect(fails((o) => ((o.plans[3] as Obj).id = 'pilot'))).toBe(
      "p.json: field plans[3].id: duplicate plan id: 'pilot'",
    );
    expect(fails((o) => (o.currency = 'EUR'))).toBe(
      "p.json: field currency: must be 'USD' (outputs are in US dollars): 'EUR'",
    );
    expect(fails((o) => (o.billing.default_basis = 'median'))).toBe(
      "p.json: field billing.default_basis: must be one of max, mean, p95: 'median'",
    );
    expect(fails((o) => (o.plans = []))).toBe("p.json: field plans: must be a non-empty list of plans: '[]'");
    expect(fails((o) => ((o.plans[2] as Obj).max_devices = 40))).toBe(
      "p.json: field plans[2].max_devices: must be null or at least included_devices (50): '40'",
    );
    expect(
      fails((o) =>
        o.plans.forEach((p) => {
          p.extra_device_usd = null;
          p.max_devices = null;
        }),
      ),
    ).toMatch(/^p\.json: field plans: no plan covers a fleet of more than 100 devices/);
  });
  it('rejects a file that is not JSON or not there', () => {
    const dir = tempDir();
    const f = join(dir, 'bad.json');
    writeFileSync(f, '{\n  "currency": "USD",\n  plans: []\n}\n');
    expect(() => loadPricing(f)).toThrow(
      `${f}: field (root): not valid JSON at line 3 column 3 (Expected double-quoted property name): '  plans: []'`,
    );
    expect(() => loadPricing(join(dir, 'none.json'))).toThrow(`${join(dir, 'none.json')}: no such file`);
  });
});

// ---------------------------------------------------------------------------
// Hand-made run folders.

interface Block {
  user: number;
  devices: [number, number];
  from: string;
  to: string;
}

/** device_days rows: every device of the block online every day from..to. */
function blockSql(b: Block): string {
  return `select cast(d as bigint) as device_id, cast(${b.user} as bigint) as user_id, cast(s as date) as day
    from range(${b.devices[0]}, ${b.devices[1] + 1}) t(d),
         generate_series(TIMESTAMP '${b.from}', TIMESTAMP '${b.to}', INTERVAL 1 DAY) g(s)`;
}

/** A run folder as analyze leaves it (device_days.parquet, daily_online.csv, quality.json), made by hand. */
async function makeRun(blocks: Block[], firstDay: string, asOf: string): Promise<string> {
  const dir = tempDir('fleetpulse-insights-');
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.run(`create table dd as ${blocks.map(blockSql).join(' union all ')}`);
  await c.run(
    `copy (select * from dd order by day, device_id) to '${join(dir, 'device_days.parquet')}' (format parquet)`,
  );
  const b = (lo: number, hi: number) =>
    `cast(coalesce(sum(n) filter (where n between ${lo} and ${hi}), 0) as bigint)`;
  await c.run(`copy (
      with f as (select user_id, day, count(*) as n from dd group by all),
      d as (select cast(s as date) as day from generate_series(TIMESTAMP '${firstDay}', TIMESTAMP '${asOf}', INTERVAL 1 DAY) g(s))
      select strftime(d.day, '%Y-%m-%d') as date, ${b(1, 2)} as fleet_1_2, ${b(3, 9)} as fleet_3_9, ${b(10, 99)} as fleet_10_99,
        ${b(100, 999)} as fleet_100_999, ${b(1000, 1e9)} as fleet_1000_plus, cast(coalesce(sum(n), 0) as bigint) as total
      from d left join f using (day) group by d.day order by d.day
    ) to '${join(dir, 'daily_online.csv')}' (header true)`);
  c.closeSync();
  inst.closeSync();
  writeFileSync(
    join(dir, 'quality.json'),
    JSON.stringify({
      as_of: asOf,
      as_of_source: 'test',
      first_event: `${firstDay} 00:00:00.000000`,
      last_event: `${asOf} 12:00:00.000000`,
      inputs: {
        events: { file: join(dir, 'gone', 'connectivity_events.csv'), rows_read: 1, rows_rejected: 0 },
        servers: { file: join(dir, 'gone', 'servers.csv'), rows_read: 1, rows_rejected: 0 },
      },
    }),
  );
  return dir;
}

function readCsv(path: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const cols = (head as string).split(',');
  return lines.map((l) => {
    const f: string[] = [];
    let cur = '';
    let q = false;
    for (let i = 0; i < l.length; i++) {
      const ch = l[i] as string;
      if (q) {
        if (ch === '"' && l[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (ch === '"') q = false;
        else cur += ch;
      } else if (ch === '"') q = true;
      else if (ch === ',') {
        f.push(cur);
        cur = '';
      } else cur += ch;
    }
    f.push(cur);
    return Object.fromEntries(cols.map((c, i) => [c, f[i] ?? '']));
  });
}

describe('billing bases on a hand-made month', () => {
  // June 2017, one user: 5 devices on days 1-10, 12 on days 11-20, 40 on day 21, none after.
  const june: Block[] = [
    { user: 1, devices: [1, 5], from: '2017-06-01', to: '2017-06-10' },
    { user: 1, devices: [1, 12], from: '2017-06-11', to: '2017-06-20' },
    { user: 1, devices: [1, 40], from: '2017-06-21', to: '2017-06-21' },
  ];
  const month = (dir: string, m: string) => {
    const k = readCsv(join(dir, 'revenue_kpis.csv')).find((r) => r.month === m);
    if (!k) throw new Error(`no ${m}`);
    return { devices: Number(k.billable_devices), revenue: Number(k.revenue_usd), complete: k.complete };
  };

  it('max, mean (rounded up) and p95 (nearest rank, days without devices count as 0)', async () => {
    const dir = await makeRun(june, '2017-06-01', '2017-06-30');
    // max 40 -> Pilot; mean (50 + 120 + 40) / 30 = 7 -> free; p95: rank ceil(28.5) = 29 of 30 sorted
    // values (9 zeros, ten 5s, ten 12s, one 40) = 12 -> Prototype.
    const expected = { max: [40, 249], mean: [7, 0], p95: [12, 99] } as const;
    for (const basis of ['max', 'mean', 'p95'] as const) {
      await insights({ inDir: dir, billing: basis, quiet: true, ruleSensitivity: false });
      expect(month(dir, '2017-06'), basis).toEqual({
        devices: expected[basis][0],
        revenue: expected[basis][1],
        complete: 'true',
      });
      const j = JSON.parse(readFileSync(join(dir, 'insights.json'), 'utf8'));
      expect(j.pricing.basis).toBe(basis);
      expect(j.revenue.by_basis).toEqual([
        { basis: 'max', last_month_usd: 249, last_12_months_usd: 249 },
        { basis: 'mean', last_month_usd: 0, last_12_months_usd: 0 },
        { basis: 'p95', last_month_usd: 99, last_12_months_usd: 99 },
      ]);
    }
    const rm = readCsv(join(dir, 'revenue_monthly.csv'));
    expect(rm.map((r) => r.bucket)).toEqual(['1-2', '3-9', '10-99', '100-999', '1000+']);
    expect(rm.find((r) => r.bucket === '10-99')).toEqual({
      month: '2017-06',
      bucket: '10-99',
      users: '1',
      billable_devices: '12',
      revenue_usd: '99.00',
    });
  });

  it('a month cut by the window counts only its days inside the window', async () => {
    // 2017-06-11 .. 2017-06-30: 20 days (ten 12s, one 40, nine zeros); p95 rank ceil(19) = 19 -> 12.
    const late = june.slice(1);
    const dir = await makeRun(late, '2017-06-11', '2017-06-30');
    await insights({ inDir: dir, billing: 'p95', quiet: true, ruleSensitivity: false });
    expect(month(dir, '2017-06')).toEqual({ devices: 12, revenue: 99, complete: 'false' });
    await insights({ inDir: dir, billing: 'mean', quiet: true, ruleSensitivity: false });
    // (120 + 40) / 20 = 8
    expect(month(dir, '2017-06')).toMatchObject({ devices: 8, revenue: 0 });
    const j = JSON.parse(readFileSync(join(dir, 'insights.json'), 'utf8'));
    expect(j.revenue.last_month).toBeNull();
    expect(j.flags.join(' ')).toContain('Partial month(s) 2017-06');
  });
});

// ---------------------------------------------------------------------------
// Sales leads.

const NOW: [string, string] = ['2018-01-30', '2018-02-28'];
const AGO: [string, string] = ['2017-11-01', '2017-11-30'];
const at = (user: number, n: number, [from, to]: [string, string], first = 1): Block => ({
  user,
  devices: [user * 1000 + first, user * 1000 + n],
  from,
  to,
});

const HISTORY: Block[] = [
  at(1, 6, AGO), // upgrade: free tier with 6, now 12 (over the limit); also grows +100%
  at(1, 12, NOW),
  at(2, 35, AGO), // expansion: 35 -> 70
  at(2, 70, NOW),
  at(3, 17, AGO), // upsell: Prototype at 18 of 20
  at(3, 18, NOW),
  at(4, 40, AGO), // churn risk: 40 -> 20
  at(4, 20, NOW),
  at(5, 3, ['2017-06-01', '2017-06-30']), // returning: gone from July, back on 2018-02-20
  at(5, 2, ['2018-02-20', '2018-02-28']),
  at(6, 5, ['2017-06-01', '2018-02-28']), // steady small fleet: no lead
];

describe('sales leads on a hand-made fleet history', () => {
  it('finds each segment, scores it in dollars at stake and ranks the users', async () => {
    const dir = await makeRun(HISTORY, '2017-06-01', '2018-02-28');
    await insights({ inDir: dir, quiet: true, ruleSensitivity: false });
    const leads = readCsv(join(dir, 'sales_leads.csv'));
    expect(Object.keys(leads[0] ?? {}).slice(0, 7)).toEqual([
      'user_id',
      'segment',
      'score',
      'reason',
      'devices_now',
      'devices_90d_ago',
      'plan_now',
    ]);
    const pick = (l: Record<string, string>) => [
      l.user_id,
      l.segment,
      Number(l.score),
      Number(l.devices_now),
      Number(l.devices_90d_ago),
      l.plan_now,
      l.other_segments,
    ];
    expect(leads.map(pick)).toEqual([
      ['4', 'churn_risk', 249, 20, 40, 'prototype', ''],
      // Prototype $99 -> Pilot $249 at device 21.
      ['3', 'upsell', 150, 18, 17, 'prototype', ''],
      // 70 -> 105 in 90 more days: Production $406.50 against Pilot $279 now.
      ['2', 'expansion', 127.5, 70, 35, 'pilot', ''],
      ['1', 'upgrade', 99, 12, 6, 'prototype', 'expansion'],
      ['5', 'returning', 0, 2, 0, 'free', ''],
    ]);
    const reason = (u: string) => leads.find((l) => l.user_id === u)?.reason;
    expect(reason('4')).toBe(
      'Fleet fell from 40 to 20 devices (-50%) in 90 days; monthly bill $249 -> $99. The account was worth $249/month.',
    );
    expect(reason('2')).toBe(
      'Fleet grew from 35 to 70 devices (+35, +100%) in 90 days. At the same pace it reaches 105 in 90 more days: ' +
        'Production at $406.50/month, against $279 now (+$127.50).',
    );
    expect(reason('3')).toContain('Prototype includes 20 devices and the fleet uses 18 (90%)');
    expect(reason('1')).toBe(
      'On the free tier 90 days ago (6 devices); 12 now, over the free limit of 10: Prototype at $99/month covers them.',
    );
    expect(reason('5')).toBe(
      'Back on 2018-02-20 after 234 days with no device online (last seen 2017-06-30); 2 devices now, Free at $0/month.',
    );
    const j = JSON.parse(readFileSync(join(dir, 'insights.json'), 'utf8'));
    expect(j.leads.history_ok).toBe(true);
    expect(j.leads.by_segment).toEqual({
      upgrade: { users: 1, score_usd: 99 },
      expansion: { users: 1, score_usd: 127.5 },
      upsell: { users: 1, score_usd: 150 },
      churn_risk: { users: 1, score_usd: 249 },
      returning: { users: 1, score_usd: 0 },
    });
    expect(j.rule_sensitivity.status).toBe('skipped');
  });

  const stats = (now: number, ago: number, extra: Partial<UserStats> = {}): UserStats => ({
    user_id: 1,
    devices_now: now,
    devices_90d_ago: ago,
    first_seen: '2017-01-01',
    last_seen: '2018-02-28',
    return_day: null,
    last_before_gap: null,
    gap_days: null,
    ...extra,
  });
  const segs = (s: UserStats) => segmentsOf(s, TEST_TABLE).map((c) => c.segment);

  it('applies each threshold exactly', () => {
    // upgrade: free tier 90 days ago (<= 10), at or over the limit now
    expect(segs(stats(10, 10))).toEqual(['upgrade']);
    expect(segs(stats(9, 9))).toEqual([]);
    expect(segs(stats(10, 11))).toEqual([]); // already over the free tier 90 days ago
    expect(segs(stats(12, 0))).toEqual(['upgrade', 'expansion']); // a new fleet past the free limit
    expect(segs(stats(15, 10))).toEqual(['upgrade', 'expansion']);
    // expansion: +5 devices and +50%, or a new fleet of 5+
    expect(segs(stats(30, 20))).toEqual(['expansion']);
    expect(segs(stats(29, 20))).toEqual([]); // +45%
    expect(segs(stats(5, 0))).toEqual(['expansion']);
    expect(segs(stats(4, 0))).toEqual([]);
    // upsell: a paid plan at 80%+ of its included devices, not over, not shrinking
    expect(segs(stats(16, 16))).toEqual(['upsell']);
    expect(segs(stats(15, 15))).toEqual([]);
    expect(segs(stats(16, 17))).toEqual([]);
    expect(segs(stats(40, 40))).toEqual(['upsell']);
    expect(segs(stats(51, 51))).toEqual([]);
    // churn risk: 10+ devices 90 days ago, lost 30%+ and 3+
    expect(segs(stats(7, 10))).toEqual(['churn_risk']);
    expect(segs(stats(8, 10))).toEqual([]);
    expect(segs(stats(0, 10))).toEqual(['churn_risk']);
    expect(segs(stats(14, 20))).toEqual(['churn_risk']);
    expect(segs(stats(15, 20))).toEqual([]);
    // returning
    const back = { return_day: '2018-02-01', last_before_gap: '2017-11-02', gap_days: 90 };
    expect(segs(stats(1, 0, back))).toEqual(['returning']);
  });

  it('scores each segment in monthly dollars at stake', () => {
    const score = (s: UserStats, seg: string) =>
      segmentsOf(s, TEST_TABLE).find((c) => c.segment === seg)?.score;
    expect(score(stats(10, 10), 'upgrade')).toBe(99); // the plan device 11 needs
    expect(score(stats(25, 3), 'upgrade')).toBe(249);
    expect(segmentsOf(stats(103, 0), TEST_TABLE)[0]).toEqual({
      segment: 'upgrade',
      score: 403.5,
      reason:
        'New fleet (no device 90 days ago); 103 now, over the free limit of 10: Production at $403.50/month covers them.',
    });
    expect(score(stats(40, 40), 'upsell')).toBe(1.5); // device 51 costs one extra device
    expect(score(stats(10, 5), 'expansion')).toBe(99); // 15 devices in 90 more days: Prototype
    expect(score(stats(0, 100), 'churn_risk')).toBe(324);
    expect(
      score(
        stats(30, 0, { return_day: '2018-02-01', last_before_gap: '2017-01-01', gap_days: 395 }),
        'returning',
      ),
    ).toBe(249);
  });

  it('ranks by score, then by fleet size, then by user id', () => {
    const ranked = rankLeads(
      [
        { ...stats(10, 10), user_id: 7 },
        { ...stats(12, 9), user_id: 3 },
        { ...stats(10, 10), user_id: 2 },
        { ...stats(7, 10), user_id: 9 },
      ],
      TEST_TABLE,
    );
    expect(ranked.map((l) => [l.user_id, l.segment, l.score])).toEqual([
      [3, 'upgrade', 99],
      [2, 'upgrade', 99],
      [7, 'upgrade', 99],
      [9, 'churn_risk', 0],
    ]);
  });
});

describe('revenue projection', () => {
  it('scales the forecast by the revenue per online device of the last 3 complete months', async () => {
    const dir = await makeRun(HISTORY, '2017-06-01', '2018-02-28');
    await insights({ inDir: dir, quiet: true, ruleSensitivity: false });
    let j = JSON.parse(readFileSync(join(dir, 'insights.json'), 'utf8'));
    expect(j.projection.status).toBe('no_forecast');
    expect(j.files).not.toContain('revenue_projection.csv');

    // A flat forecast: 100 devices (80% 80-120, 95% 60-140) from March 1 to April 15.
    const lines = ['date,yhat,lo80,hi80,lo95,hi95'];
    for (let d = Date.parse('2018-03-01'); d <= Date.parse('2018-04-15'); d += 86_400_000)
      lines.push(`${new Date(d).toISOString().slice(0, 10)},100,80,120,60,140`);
    writeFileSync(join(dir, 'forecast.csv'), `${lines.join('\n')}\n`);
    await insights({ inDir: dir, quiet: true, ruleSensitivity: false });
    j = JSON.parse(readFileSync(join(dir, 'insights.json'), 'utf8'));
    expect(j.projection.status).toBe('ok');

    // The ratio from the files themselves.
    const kpis = readCsv(join(dir, 'revenue_kpis.csv'));
    const daily = readCsv(join(dir, 'daily_online.csv'));
    const months = ['2017-12', '2018-01', '2018-02'];
    const rev = months.reduce((s, m) => s + Number(kpis.find((k) => k.month === m)?.revenue_usd), 0);
    const meanOf = (m: string) => {
      const rows = daily.filter((d) => d.date?.startsWith(m));
      return rows.reduce((s, r) => s + Number(r.total), 0) / rows.length;
    };
    const ratio = rev / months.reduce((s, m) => s + meanOf(m), 0);
    expect(j.projection.ratio_months).toEqual(months);
    expect(j.projection.revenue_per_online_device).toBeCloseTo(ratio, 4);
    const proj = readCsv(join(dir, 'revenue_projection.csv'));
    const march = proj.find((r) => r.month === '2018-03');
    expect(march?.kind).toBe('projected');
    expect(Number(march?.revenue_usd)).toBeCloseTo(100 * ratio, 2);
    expect(Number(march?.revenue_lo80)).toBeCloseTo(80 * ratio, 2);
    expect(Number(march?.revenue_hi95)).toBeCloseTo(140 * ratio, 2);
    // April is only half covered: not projected.
    expect(proj.find((r) => r.month === '2018-04')).toBeUndefined();
    expect(proj.find((r) => r.month === '2018-02')?.kind).toBe('actual');
    expect(j.projection.horizon_end).toBe('2018-04-15');

    // Gone again: the stale projection file goes too.
    rmSync(join(dir, 'forecast.csv'));
    await insights({ inDir: dir, quiet: true, ruleSensitivity: false });
    expect(existsSync(join(dir, 'revenue_projection.csv'))).toBe(false);
  });
});
