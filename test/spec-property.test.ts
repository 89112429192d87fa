/**
 * Property tests: random multi-device timelines, written as CSV in the forms
 * SPEC section 1 allows, run through the real pipeline (analyze()) on every
 * engine of test/helpers/engines.ts, and compared row for row with the plain
 * reference of SPEC (test/reference/spec-reference.ts).
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/util/errors.js';
import { ENGINES, type EngineUnderTest } from './helpers/engines.js';
import { dateOf, removeTempDirs, tempDir, writeEvents, writeServers } from './helpers/fixtures.js';
import { type RunOutput, runAnalyze } from './helpers/run.js';
import {
  BASE_DAY,
  eventLines,
  referenceInput,
  type Scenario,
  type ScenarioOptions,
  scenarioArb,
  serverLine,
} from './helpers/scenario.js';
import { isoMicros, type RefResult, referenceAnalyze } from './reference/spec-reference.js';

afterAll(removeTempDirs);

const NUM_RUNS = Number(process.env.FLEETPULSE_PROPERTY_RUNS ?? 80);

/** The inputs as text, for failure messages. */
function describeScenario(s: Scenario, events: string[], servers: string[]): string {
  const asOf = s.asOfOffset === undefined ? 'default' : dateOf(BASE_DAY + s.asOfOffset);
  return [
    `--as-of ${asOf}; events form ${JSON.stringify(s.eventsForm)}; servers form ${JSON.stringify(s.serversForm)}`,
    'servers.csv:',
    ...servers,
    'connectivity_events.csv:',
    ...events,
  ].join('\n');
}

/** Runs one scenario on `engine` and compares everything with the reference. */
async function check(engine: EngineUnderTest, s: Scenario): Promise<void> {
  const dir = tempDir('fleetpulse-prop-');
  const events = eventLines(s);
  const servers = s.servers.map(serverLine);
  const what = describeScenario(s, events, servers);
  const ref = referenceAnalyze(referenceInput(s));

  let got: RunOutput | undefined;
  let error: unknown;
  try {
    got = await runAnalyze(engine, {
      events: { path: writeEvents(join(dir, 'events.csv'), events, s.eventsForm) },
      servers: {
        // No server at all: servers.csv cannot be empty, so list one nobody uses.
        path: writeServers(
          join(dir, 'servers.csv'),
          servers.length ? servers : ['999,2017-01-01 00:00:00,'],
          s.serversForm,
        ),
      },
      asOf: s.asOfOffset === undefined ? undefined : dateOf(BASE_DAY + s.asOfOffset),
    });
  } catch (e) {
    error = e;
  }
  if (ref === undefined) {
    // Every event is after --as-of: a usage error, not a result.
    expect(error, `expected a usage error\n${what}`).toBeInstanceOf(UsageError);
    return;
  }
  if (error) throw new Error(`${(error as Error).message}\n${what}`);
  compare(got as RunOutput, ref, s, what);
}

function compare(got: RunOutput, ref: RefResult, s: Scenario, what: string): void {
  expect(got.daily, `daily_online.csv\n${what}`).toEqual(ref.daily);
  expect(got.rolling28, `rolling28_online.csv\n${what}`).toEqual(ref.rolling28);
  const q = got.quality;
  const rules = Object.fromEntries(
    Object.entries(q.rules).map(([k, v]) => [k, { firings: v.firings, device_days: v.device_days }]),
  );
  expect(rules, `quality.json rules\n${what}`).toEqual(ref.rules);
  expect(
    {
      as_of: q.as_of,
      first_event: q.first_event,
      last_event: q.last_event,
      days: q.days,
      devices: q.devices,
      users_with_online_events: q.users_with_online_events,
      unknown_server_events: q.unknown_server_events,
      unknown_servers: q.unknown_servers,
      intervals: q.intervals,
      clamped_intervals: q.clamped_intervals,
      device_days: q.device_days,
      device_days_repaired_only: q.device_days_repaired_only,
      rows_used: q.inputs.events.rows_used,
      rows_after_as_of: q.inputs.events.rows_after_as_of,
      rows_read: q.inputs.events.rows_read,
      blank_lines: q.inputs.events.blank_lines,
      header: q.inputs.events.header,
      gzip: q.inputs.events.gzip,
    },
    `quality.json counters\n${what}`,
  ).toEqual({
    as_of: dateOf(ref.asOfDay),
    first_event: isoMicros(ref.firstEventUs),
    last_event: isoMicros(ref.lastEventUs),
    days: ref.asOfDay - ref.firstDay + 1,
    devices: ref.devices,
    users_with_online_events: ref.usersWithOnlineEvents,
    unknown_server_events: ref.unknownServerEvents,
    unknown_servers: ref.unknownServers,
    intervals: ref.intervals.length,
    clamped_intervals: ref.clampedIntervals,
    device_days: ref.deviceDays,
    device_days_repaired_only: ref.deviceDaysRepairedOnly,
    rows_used: ref.rowsUsed,
    rows_after_as_of: ref.rowsAfterAsOf,
    rows_read: ref.rowsUsed + ref.rowsAfterAsOf,
    blank_lines: s.blankBefore.length,
    header: Boolean(s.eventsForm.header),
    gzip: Boolean(s.eventsForm.gzip),
  });
  // The identities docs/metric.md states for quality.json.
  const f = (k: string) => q.rules[k]?.firings ?? Number.NaN;
  expect(q.intervals, 'intervals = rules 1-4 + end').toBe(
    f('rule_1') + f('rule_2') + f('rule_3') + f('rule_4') + f('end'),
  );
  expect(q.inputs.events.rows_used, 'rows_used = intervals + offline events').toBe(
    q.intervals + f('rule_3') + f('rule_4') + f('rule_7') + f('rule_8') + f('leading_offline'),
  );
  expect(f('first_online') + f('leading_offline'), 'one first event per device').toBe(q.devices);
  expect(q.device_days, 'device_days = sum of daily totals').toBe(got.daily.reduce((n, r) => n + r.total, 0));
}

const MULTI_DEVICE: ScenarioOptions = { maxEvents: 30, maxDevices: 12, maxUsers: 3, maxServers: 4 };
const ONE_DEVICE_DENSE: ScenarioOptions = { maxEvents: 16, maxDevices: 1, maxUsers: 2, maxServers: 3 };
/** Many devices of one or two users on a few days: fleets of 3-9 and 10-99. */
const CROWDED: ScenarioOptions = {
  maxEvents: 45,
  maxDevices: 13,
  maxUsers: 2,
  maxServers: 2,
  spans: [1, 3],
  size: 'max',
};

describe.each(ENGINES)('SPEC properties: engine vs reference ($name)', (engine) => {
  it('random multi-device timelines', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(MULTI_DEVICE), (s) => check(engine, s)),
      { numRuns: NUM_RUNS },
    );
  });

  it('dense single-device timelines (rules, equal timestamps, destroyed servers)', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(ONE_DEVICE_DENSE), (s) => check(engine, s)),
      { numRuns: Math.ceil(NUM_RUNS * 0.75) },
    );
  });

  it('crowded fleets (buckets 3-9 and 10-99)', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(CROWDED), (s) => check(engine, s)),
      { numRuns: Math.ceil(NUM_RUNS * 0.5) },
    );
  });
});

describe('the reference itself', () => {
  // Guards against a reference that agrees with the engine by being wrong the same way:
  // a few facts of SPEC checked directly on the reference.
  it('counts an instant at midnight for its day but not an interval ending at midnight', () => {
    const D = BigInt(BASE_DAY) * 86_400_000_000n;
    const ev = (tsUs: bigint, connected: boolean, pos: number) => ({
      tsUs,
      device: 1n,
      user: 1n,
      server: 1n,
      connected,
      pos,
    });
    const servers = new Map<bigint, bigint | undefined>([[1n, undefined]]);
    const instant = referenceAnalyze({ events: [ev(D, true, 0), ev(D, false, 1)], servers });
    expect(instant?.daily.map((r) => [r.date, r.total])).toEqual([['2018-02-01', 1]]);
    const toMidnight = referenceAnalyze({ events: [ev(D - 1n, true, 0), ev(D, false, 1)], servers });
    expect(toMidnight?.daily.map((r) => [r.date, r.total])).toEqual([
      ['2018-01-31', 1],
      ['2018-02-01', 0],
    ]);
  });

  it('keeps file order for equal timestamps and leaves out events at as_of_end', () => {
    const D = BigInt(BASE_DAY) * 86_400_000_000n;
    const servers = new Map<bigint, bigint | undefined>([[1n, undefined]]);
    const e = (tsUs: bigint, connected: boolean, pos: number) => ({
      tsUs,
      device: 1n,
      user: 1n,
      server: 1n,
      connected,
      pos,
    });
    const onOff = referenceAnalyze({ events: [e(D, false, 1), e(D, true, 0)], servers });
    expect(onOff?.rules.rule_3.firings).toBe(1);
    const offOn = referenceAnalyze({ events: [e(D, false, 0), e(D, true, 1)], servers });
    expect(offOn?.rules.leading_offline.firings).toBe(1);
    expect(offOn?.rules.end.firings).toBe(1);
    const cut = referenceAnalyze({
      events: [e(D, true, 0), e(D + 86_400_000_000n, false, 1)],
      servers,
      asOfDay: BASE_DAY,
    });
    expect(cut?.rowsAfterAsOf).toBe(1);
    expect(cut?.rules.end.firings).toBe(1);
  });
});
