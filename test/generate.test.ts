/**
 * `fleetpulse generate`: determinism, prefix stability, the clean export
 * reproducing its truth exactly through the real analyze, and the shape of
 * the corrupted export (eras, formats, order, every repair rule firing).
 * Small scales only: each case runs in seconds.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATE_FILES, type GenerateSummary, generate } from '../src/generate/index.js';
import { analyze } from '../src/pipeline/analyze.js';
import { UsageError } from '../src/util/errors.js';
import { isoToDay } from '../src/util/time.js';
import { removeTempDirs, tempDir } from './helpers/fixtures.js';
import { RULE_COUNTERS } from './reference/spec-reference.js';

afterAll(removeTempDirs);

/** analyze's outputs compared byte for byte (its parquet writer does not keep row order: compared by content). */
const ANALYZE_CSV_OUTPUTS = ['daily_online.csv', 'rolling28_online.csv', 'repairs_by_server.csv'];
const TS = /^(\d{4}-\d\d-\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?$/;

function day(iso: string): number {
  const d = isoToDay(iso);
  if (d === undefined) throw new Error(`test bug: bad date ${iso}`);
  return d;
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function text(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

function summaryOf(dir: string): GenerateSummary {
  return JSON.parse(text(dir, GENERATE_FILES.summary)) as GenerateSummary;
}

/** Epoch ms of an export timestamp, parsed here (not with the generator's code). */
function ms(ts: string): number {
  const m = TS.exec(ts);
  if (!m) throw new Error(`bad timestamp ${ts}`);
  const [, date, h, mi, s, f = ''] = m;
  return (
    (day(date as string) * 86_400 + Number(h) * 3600 + Number(mi) * 60 + Number(s)) * 1000 +
    Number(f.padEnd(3, '0'))
  );
}

/** Whether two parquet files hold the same multiset of rows. */
async function sameRows(a: string, b: string): Promise<boolean> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const r = await c.runAndReadAll(
      `select (select count(*) from '${a}') = (select count(*) from '${b}')
          and not exists (select * from '${a}' except all select * from '${b}') as same`,
    );
    return r.getRowsJS()[0]?.[0] === true;
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

async function analyzeInto(gen: string, out: string, asOf?: string) {
  return analyze({
    events: join(gen, GENERATE_FILES.events),
    servers: join(gen, GENERATE_FILES.servers),
    out,
    asOfDay: asOf === undefined ? undefined : day(asOf),
    quiet: true,
  });
}

describe('determinism', () => {
  it('writes the same bytes for the same arguments, other bytes for another seed', async () => {
    const [a, b, c] = [tempDir('fp-gen-'), tempDir('fp-gen-'), tempDir('fp-gen-')];
    await generate({ out: a, seed: 7, scale: 0.01, quiet: true });
    await generate({ out: b, seed: 7, scale: 0.01, quiet: true });
    await generate({ out: c, seed: 8, scale: 0.01, quiet: true });
    for (const f of Object.values(GENERATE_FILES)) expect(sha(join(b, f)), f).toBe(sha(join(a, f)));
    expect(sha(join(c, GENERATE_FILES.events))).not.toBe(sha(join(a, GENERATE_FILES.events)));
  });
});

describe('prefix stability', () => {
  it('--until 2019-02-28 analyzed --as-of 2018-02-28 gives the default export analyzed', async () => {
    const short = tempDir('fp-gen-short-');
    const long = tempDir('fp-gen-long-');
    await generate({ out: short, scale: 0.01, quiet: true });
    await generate({ out: long, scale: 0.01, untilDay: day('2019-02-28'), quiet: true });

    // The export itself: the same events up to the end of 2018-02-28, and the same server rows.
    const shortEvents = text(short, GENERATE_FILES.events);
    const longEvents = text(long, GENERATE_FILES.events);
    expect(longEvents.length).toBeGreaterThan(shortEvents.length * 2);
    expect(longEvents.startsWith(shortEvents)).toBe(true);
    expect(longEvents.slice(shortEvents.length, shortEvents.length + 10)).toBe('2018-03-01');
    const shortServers = text(short, GENERATE_FILES.servers);
    expect(shortServers.split('\n')).toHaveLength(189);
    expect(text(long, GENERATE_FILES.servers).startsWith(shortServers)).toBe(true);
    // The truth up to 2018-02-28 is the same too.
    for (const f of [GENERATE_FILES.truthDaily, GENERATE_FILES.truthRolling28])
      expect(text(long, f).startsWith(text(short, f))).toBe(true);

    const ra = await analyzeInto(short, join(short, 'run'));
    const rb = await analyzeInto(long, join(long, 'run'), '2018-02-28');
    expect(ra.quality.as_of).toBe('2018-02-28');
    expect(rb.quality.inputs.events.rows_after_as_of).toBeGreaterThan(0);
    for (const f of ANALYZE_CSV_OUTPUTS)
      expect(sha(join(long, 'run', f)), f).toBe(sha(join(short, 'run', f)));
    expect(
      await sameRows(join(short, 'run', 'device_days.parquet'), join(long, 'run', 'device_days.parquet')),
    ).toBe(true);
    expect(rb.quality.rules).toEqual(ra.quality.rules);
  });
});

describe('--no-corruption: analyze reproduces the truth exactly', () => {
  const cases: [number, string, number][] = [
    [1, '2018-02-28', 0.02],
    [2, '2017-08-03', 0.02],
    [3, '2016-09-15', 0.05],
    [4, '2018-11-30', 0.01],
  ];
  it.each(cases)('seed %i, --until %s, scale %f', async (seed, until, scale) => {
    const gen = tempDir('fp-gen-clean-');
    await generate({ out: gen, seed, scale, untilDay: day(until), corruption: false, quiet: true });
    const run = join(gen, 'run');
    const r = await analyzeInto(gen, run, until);
    expect(r.quality.as_of).toBe(until);
    for (const [mine, truth] of [
      ['daily_online.csv', GENERATE_FILES.truthDaily],
      ['rolling28_online.csv', GENERATE_FILES.truthRolling28],
    ] as const) {
      const got = text(run, mine).split('\n');
      const want = text(gen, truth).split('\n');
      expect(got.length, mine).toBe(want.length);
      const firstDiff = got.findIndex((line, i) => line !== want[i]);
      expect(firstDiff === -1 ? '' : `${got[firstDiff]} vs truth ${want[firstDiff]}`, mine).toBe('');
    }
    // Nothing to repair in a clean stream but what production does by design
    // (no offline event when a server is destroyed: rule 2).
    for (const k of ['rule_1', 'rule_4', 'rule_7', 'rule_8', 'leading_offline'])
      expect(r.quality.rules[k]?.firings, k).toBe(0);
    expect(r.quality.clamped_intervals).toBe(0);
    expect(r.quality.unknown_server_events).toBe(0);
  });

  it('the default as_of (the latest event) is --until, and the export exercises the edge cases', async () => {
    const gen = tempDir('fp-gen-clean-');
    await generate({ out: gen, scale: 0.03, corruption: false, quiet: true });
    const r = await analyzeInto(gen, join(gen, 'run'));
    expect(r.quality.as_of).toBe('2018-02-28');
    expect(text(join(gen, 'run'), 'daily_online.csv')).toBe(text(gen, GENERATE_FILES.truthDaily));
    expect(text(join(gen, 'run'), 'rolling28_online.csv')).toBe(text(gen, GENERATE_FILES.truthRolling28));

    const lines = text(gen, GENERATE_FILES.events).trimEnd().split('\n');
    const owners = new Map<string, Set<string>>();
    let midnight = 0;
    for (const line of lines) {
      const [ts, device, user] = line.split(',') as [string, string, string];
      if (ts.endsWith(' 00:00:00')) midnight++;
      const set = owners.get(device) ?? new Set<string>();
      set.add(user);
      owners.set(device, set);
    }
    // Timer-driven devices switch exactly at midnight: the half-open day rule matters.
    expect(midnight).toBeGreaterThan(0);
    // Some devices change owner.
    expect([...owners.values()].filter((s) => s.size > 1).length).toBeGreaterThan(0);
    // Some servers are destroyed exactly at midnight, and devices are cut off by destruction (rule 2).
    const servers = text(gen, GENERATE_FILES.servers).trimEnd().split('\n');
    expect(servers.filter((l) => l.endsWith(' 00:00:00')).length).toBeGreaterThan(0);
    expect(r.quality.rules.rule_2?.firings).toBeGreaterThan(100);
    // Devices still online at the end of the window (the end case).
    expect(r.quality.rules.end?.firings).toBeGreaterThan(10);
  });
});

describe('the corrupted export at small scale', () => {
  let gen = '';
  let summary: GenerateSummary;
  let lines: string[] = [];
  let quality: Awaited<ReturnType<typeof analyze>>['quality'];

  beforeAll(async () => {
    gen = tempDir('fp-gen-shape-');
    const r = await generate({ out: gen, scale: 0.05, quiet: true });
    summary = r.summary;
    expect(summaryOf(gen)).toEqual(summary);
    lines = text(gen, GENERATE_FILES.events).trimEnd().split('\n');
    quality = (await analyzeInto(gen, join(gen, 'run'))).quality;
  });

  it('has no header, five fields, production timestamps and booleans, sorted by time', () => {
    // Plain checks per line, one expect at the end: 0.5M expects would take a minute.
    let prev = Number.NEGATIVE_INFINITY;
    const fractions = new Set<number>();
    const bad: string[] = [];
    for (const line of lines) {
      const f = line.split(',');
      const [ts = '', device = '', user = '', server = '', connected = ''] = f;
      const m = TS.exec(ts);
      const frac = m?.[5];
      if (frac !== undefined) fractions.add(frac.length);
      const t = m ? ms(ts) : Number.NaN;
      const ok =
        f.length === 5 &&
        m !== null &&
        // PostgreSQL's form: no trailing zero in the fraction.
        !frac?.endsWith('0') &&
        /^\d+$/.test(device) &&
        Number(device) >= 100 &&
        /^\d+$/.test(user) &&
        /^\d+$/.test(server) &&
        (connected === 'true' || connected === 'false') &&
        t >= prev;
      if (!ok && bad.length < 5) bad.push(line);
      prev = t;
    }
    expect(bad).toEqual([]);
    expect([...fractions].sort()).toEqual([1, 2, 3]);
    expect(lines[0]?.slice(0, 10)).toBe('2015-05-31');
    expect(lines.at(-1)?.slice(0, 10)).toBe('2018-02-28');
  });

  it('has a sparse legacy era on one server at minute 30, then dense millisecond traffic on many', () => {
    const switchMs = ms(summary.eras.sparse.to);
    expect(summary.eras.sparse.to.slice(0, 7)).toBe('2017-08');
    let sparse = 0;
    const denseServers = new Set<string>();
    let denseFraction = 0;
    const bad: string[] = [];
    for (const line of lines) {
      const [ts, , , server] = line.split(',') as [string, string, string, string];
      if (ms(ts) < switchMs) {
        sparse++;
        if ((ts.slice(13) !== ':30:00' || server !== '1') && bad.length < 5) bad.push(line);
      } else {
        denseServers.add(server);
        if (ts.includes('.')) denseFraction++;
      }
    }
    expect(bad).toEqual([]);
    const dense = lines.length - sparse;
    expect(sparse).toBe(summary.eras.sparse.events);
    expect(dense / summary.eras.dense.days).toBeGreaterThan(20 * (sparse / summary.eras.sparse.days));
    expect(denseFraction / dense).toBeGreaterThan(0.9);
    expect(denseServers.size).toBeGreaterThan(100);
  });

  it('has 188 servers replaced back to back, some destroyed after the data ends, live ones empty', () => {
    const rows = text(gen, GENERATE_FILES.servers)
      .trimEnd()
      .split('\n')
      .map((l) => l.split(','));
    expect(rows).toHaveLength(188);
    const end = (day('2018-02-28') + 1) * 86_400_000;
    const created = rows.map((r) => ms(r[1] as string));
    const destroyed = rows.filter((r) => r[2] !== '').map((r) => ms(r[2] as string));
    expect(rows.filter((r) => r[2] === '').length).toBeGreaterThan(0);
    expect(destroyed.filter((d) => d >= end).length).toBeGreaterThan(0);
    for (const r of rows)
      if (r[2] !== '') expect(ms(r[2] as string) > ms(r[1] as string), r.join(',')).toBe(true);
    // Most destructions have a successor created within seconds before them.
    const handover = destroyed.filter((d) => created.some((c) => c <= d && d - c < 10_000)).length;
    expect(handover / destroyed.length).toBeGreaterThan(0.7);
    // Ids are ascending; a few ids are missing (servers of other environments).
    const ids = rows.map((r) => Number(r[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(summary.servers_without_events).toBeGreaterThan(0);
  });

  it('every repair rule of SPEC fires, at production-like rates', () => {
    // Every counter but first_online, which is not a repair.
    for (const k of RULE_COUNTERS.filter((name) => name !== 'first_online'))
      expect(quality.rules[k]?.firings, k).toBeGreaterThan(0);
    expect(quality.unknown_server_events).toBeGreaterThan(0);
    expect(quality.clamped_intervals).toBeGreaterThan(0);
    const events = quality.inputs.events.rows_read;
    const offlineAfterOffline = (quality.rules.rule_7?.firings ?? 0) + (quality.rules.rule_8?.firings ?? 0);
    expect(offlineAfterOffline / events).toBeGreaterThan(0.025);
    expect(offlineAfterOffline / events).toBeLessThan(0.06);
  });

  it('has heavy-tailed fleets, owner changes and one device flooding the export', () => {
    const devicesOf = new Map<string, Set<string>>();
    const ownersOf = new Map<string, Set<string>>();
    for (const line of lines) {
      const [, device, user] = line.split(',') as [string, string, string];
      (devicesOf.get(user) ?? devicesOf.set(user, new Set()).get(user))?.add(device);
      (ownersOf.get(device) ?? ownersOf.set(device, new Set()).get(device))?.add(user);
    }
    const sizes = [...devicesOf.values()].map((s) => s.size);
    const share = (lo: number, hi: number) => sizes.filter((n) => n >= lo && n <= hi).length / sizes.length;
    expect(share(1, 2)).toBeGreaterThan(0.4);
    expect(share(3, 9)).toBeGreaterThan(0.1);
    expect(share(10, 99)).toBeGreaterThan(0.05);
    expect(share(1, 2)).toBeGreaterThan(share(10, 99));
    expect([...ownersOf.values()].some((s) => s.size > 1)).toBe(true);
    expect(summary.busiest_device.share).toBeGreaterThan(0.15);
    expect(summary.busiest_device.share).toBeLessThan(0.4);
  });

  it('with corruption, the repaired counts differ from the truth, but not by much', () => {
    const got = text(join(gen, 'run'), 'daily_online.csv').trimEnd().split('\n').slice(1);
    const want = text(gen, GENERATE_FILES.truthDaily).trimEnd().split('\n').slice(1);
    expect(got.length).toBe(want.length);
    let diffDays = 0;
    let absErr = 0;
    let total = 0;
    got.forEach((line, i) => {
      const a = Number(line.split(',')[6]);
      const b = Number((want[i] as string).split(',')[6]);
      if (a !== b) diffDays++;
      absErr += Math.abs(a - b);
      total += b;
    });
    expect(diffDays).toBeGreaterThan(0);
    expect(absErr / total).toBeLessThan(0.05);
  });
});

describe('options', () => {
  it('rejects bad values with a usage error', async () => {
    const out = tempDir('fp-gen-bad-');
    const bad = [
      { scale: 0 },
      { scale: -1 },
      { scale: Number.NaN },
      { scale: 1000 },
      { seed: -1 },
      { seed: 1.5 },
      { untilDay: day('2015-05-30') },
      { untilDay: day('2019-03-31') },
    ];
    for (const o of bad)
      await expect(generate({ out, quiet: true, ...o }), JSON.stringify(o)).rejects.toThrow(UsageError);
  });
});
