/**
 * SPEC sections 2-6 on hand-made timelines. Every expected day and count is
 * worked out by hand from SPEC.md (the comment above each expectation gives
 * the reasoning); nothing here is computed by the engine or the reference.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/pipeline/analyze.js';
import { UsageError } from '../src/util/errors.js';
import { ENGINES } from './helpers/engines.js';
import { dayNumber, removeTempDirs, tempDir, writeEvents, writeServers } from './helpers/fixtures.js';
import { type RunInput, type RunOutput, ruleCounts, runAnalyze, tuples } from './helpers/run.js';
import { RULE_COUNTERS } from './reference/spec-reference.js';

afterAll(removeTempDirs);

/**
 * Servers of most timelines:
 *   1 alive (destroyed_at empty), 2 destroyed 2018-02-03 12:00, 3 alive.
 *   Server 9 is absent from servers.csv (destruction time unknown).
 */
const SERVERS = [
  '1,2018-01-01 00:00:00,',
  '2,2018-01-01 00:00:00,2018-02-03 12:00:00',
  '3,2018-01-01 00:00:00,',
];

interface Who {
  device?: number;
  user?: number;
}
/** An online event; device 1, user 10 unless said. Times are 'MM-DD HH:MM[:SS[.f]]' in 2018, or full. */
function on(at: string, server: number, who: Who = {}): string {
  return `${ts(at)},${who.device ?? 1},${who.user ?? 10},${server},true`;
}
function off(at: string, server: number, who: Who = {}): string {
  return `${ts(at)},${who.device ?? 1},${who.user ?? 10},${server},false`;
}
function ts(at: string): string {
  const full = /^\d{4}-/.test(at) ? at : `2018-${at}`;
  return /\d\d:\d\d:\d\d/.test(full) ? full : `${full}:00`;
}

type RuleName = (typeof RULE_COUNTERS)[number];
const ALL_RULES: RuleName[] = [...RULE_COUNTERS];
/** Every rule counter as [firings, device_days] (the device-days whose owning interval the rule emitted); the ones not given are [0, 0]. */
function rules(given: Partial<Record<RuleName, [number, number]>>): Record<string, [number, number]> {
  return Object.fromEntries(ALL_RULES.map((r) => [r, given[r] ?? [0, 0]]));
}

/** A timeline of devices that all belong to fleets of 1-2: the daily rows are [date, n, 0, 0, 0, 0, n]. */
function small(days: Record<string, number>) {
  return Object.entries(days).map(([d, n]) => [d, n, 0, 0, 0, 0, n]);
}

describe.each(ENGINES)('SPEC rules on hand-made timelines ($name)', (engine) => {
  const run = (input: Omit<RunInput, 'servers'> & { servers?: string[] }): Promise<RunOutput> =>
    runAnalyze(engine, { servers: SERVERS, ...input });

  describe('section 2: the rule table', () => {
    it('rule 1: online X -> online X emits [s, t]', async () => {
      const r = await run({
        events: [on('02-01 10:00', 1), on('02-02 10:00', 1), off('02-02 11:00', 1)],
      });
      // [02-01 10:00, 02-02 10:00] (rule 1) touches 02-01 and 02-02; [02-02 10:00, 11:00] (rule 3) 02-02.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_1: [1, 1], rule_3: [1, 1] }));
      // Two intervals, two device-days; 02-01 is touched by no rule-3 interval.
      expect(r.quality).toMatchObject({ intervals: 2, device_days: 2, device_days_repaired_only: 1 });
    });

    it('rule 2 with destroyed(X) before t: ends at destroyed(X)', async () => {
      const r = await run({
        events: [on('02-01 10:00', 2), on('02-05 10:00', 3), off('02-05 11:00', 3)],
      });
      // [02-01 10:00, min(02-03 12:00, 02-05 10:00)] = 01..03; 02-04 nothing; rule 3 on 02-05.
      expect(tuples(r.daily)).toEqual(
        small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1, '2018-02-04': 0, '2018-02-05': 1 }),
      );
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_2: [1, 3], rule_3: [1, 1] }));
      expect(r.quality).toMatchObject({ clamped_intervals: 0, device_days: 4, device_days_repaired_only: 3 });
    });

    it('rule 2 with destroyed(X) after t: ends at t', async () => {
      const r = await run({
        events: [on('02-01 10:00', 2), on('02-02 10:00', 3), off('02-02 11:00', 3)],
      });
      // min(02-03 12:00, 02-02 10:00) = 02-02 10:00: 01 and 02.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_2: [1, 1], rule_3: [1, 1] }));
    });

    it('rule 2 with destroyed(X) empty: ends at t', async () => {
      const r = await run({
        events: [on('02-01 10:00', 1), on('02-03 10:00', 3), off('02-03 11:00', 3)],
      });
      // Server 1 still exists: [02-01 10:00, 02-03 10:00] = 01..03.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_2: [1, 2], rule_3: [1, 1] }));
      expect(r.quality).toMatchObject({ unknown_server_events: 0, unknown_servers: 0 });
    });

    it('rule 2 with X absent from servers.csv: ends at t', async () => {
      const r = await run({
        events: [on('02-01 10:00', 9), on('02-03 10:00', 1), off('02-03 11:00', 1)],
      });
      // destroyed(9) unknown: [02-01 10:00, 02-03 10:00] = 01..03.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_2: [1, 2], rule_3: [1, 1] }));
      // One event names server 9.
      expect(r.quality).toMatchObject({ unknown_server_events: 1, unknown_servers: 1 });
    });

    it('rule 3: online X -> offline X emits [s, t]', async () => {
      const r = await run({ events: [on('02-01 10:00', 1), off('02-03 09:00', 1)] });
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_3: [1, 3] }));
      // Every device-day is touched by a rule-3 interval.
      expect(r.quality).toMatchObject({ intervals: 1, device_days: 3, device_days_repaired_only: 0 });
    });

    it('rule 4 with destroyed(X) known: ends at destroyed(X), past the offline event', async () => {
      const r = await run({ events: [on('02-01 10:00', 2), off('02-01 11:00', 1)], asOf: '2018-02-05' });
      // [02-01 10:00, destroyed(2) = 02-03 12:00]: 01..03 (the offline event on server 1 is ignored).
      expect(tuples(r.daily)).toEqual(
        small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1, '2018-02-04': 0, '2018-02-05': 0 }),
      );
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_4: [1, 3] }));
      expect(r.quality).toMatchObject({ device_days: 3, device_days_repaired_only: 3 });
    });

    it('rule 4 with destroyed(X) known runs past the next online event (SPEC literal)', async () => {
      const r = await run({
        events: [
          on('02-01 10:00', 2),
          off('02-01 11:00', 1),
          on('02-02 10:00', 1, { user: 11 }),
          off('02-02 11:00', 1, { user: 11 }),
        ],
        asOf: '2018-02-04',
      });
      // Rule 4: [02-01 10:00, 02-03 12:00] (01..03); then offline 1 -> online 1 (rule 5), rule 3 on 02-02.
      expect(tuples(r.daily)).toEqual(
        small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1, '2018-02-04': 0 }),
      );
      expect(ruleCounts(r.quality)).toEqual(
        rules({ first_online: [1, 0], rule_4: [1, 2], rule_5: [1, 0], rule_3: [1, 1] }),
      );
      expect(r.quality).toMatchObject({ intervals: 2, device_days: 3, device_days_repaired_only: 2 });
    });

    it('rule 4 with destroyed(X) empty: ends at t', async () => {
      const r = await run({ events: [on('02-01 10:00', 1), off('02-02 10:00', 3)] });
      // [02-01 10:00, 02-02 10:00]: 01, 02.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_4: [1, 2] }));
    });

    it('rule 4 with X absent from servers.csv: ends at t', async () => {
      const r = await run({ events: [on('02-01 10:00', 9), off('02-02 10:00', 3)] });
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_4: [1, 2] }));
      expect(r.quality).toMatchObject({ unknown_server_events: 1, unknown_servers: 1 });
    });

    it('rule 5: offline X -> online X (after a leading offline event)', async () => {
      const r = await run({ events: [off('02-01 10:00', 1), on('02-02 10:00', 1), off('02-02 11:00', 1)] });
      // The leading offline is ignored; 02-01 is the first event's day, present with zeros.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 0, '2018-02-02': 1 }));
      expect(ruleCounts(r.quality)).toEqual(
        rules({ leading_offline: [1, 0], rule_5: [1, 0], rule_3: [1, 1] }),
      );
    });

    it('rule 6: offline X -> online Y', async () => {
      const r = await run({ events: [off('02-01 10:00', 1), on('02-02 10:00', 3), off('02-02 11:00', 3)] });
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 0, '2018-02-02': 1 }));
      expect(ruleCounts(r.quality)).toEqual(
        rules({ leading_offline: [1, 0], rule_6: [1, 0], rule_3: [1, 1] }),
      );
    });

    it('rules 5/6 compare with the previous (offline) event, also after rule 4', async () => {
      const r = await run({
        events: [on('02-01 10:00', 1), off('02-01 11:00', 3), on('02-02 10:00', 3), off('02-02 11:00', 3)],
      });
      // online 1 -> offline 3 (rule 4, server 1 alive: ends at t) -> online 3 after "offline 3": rule 5.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1 }));
      expect(ruleCounts(r.quality)).toEqual(
        rules({ first_online: [1, 0], rule_4: [1, 1], rule_5: [1, 0], rule_3: [1, 1] }),
      );
    });

    it('rule 7: offline X -> offline X is ignored', async () => {
      const r = await run({ events: [on('02-01 10:00', 1), off('02-01 11:00', 1), off('02-02 10:00', 1)] });
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 0 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_3: [1, 1], rule_7: [1, 0] }));
    });

    it('rule 8: offline X -> offline Y is ignored', async () => {
      const r = await run({ events: [on('02-01 10:00', 1), off('02-01 11:00', 1), off('02-02 10:00', 3)] });
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 0 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_3: [1, 1], rule_8: [1, 0] }));
    });

    it('end case with destroyed(X) before as_of_end: ends at destroyed(X)', async () => {
      const r = await run({ events: [on('02-01 10:00', 2)], asOf: '2018-02-05' });
      // [02-01 10:00, min(02-03 12:00, 02-06 00:00)] = 01..03.
      expect(tuples(r.daily)).toEqual(
        small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1, '2018-02-04': 0, '2018-02-05': 0 }),
      );
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], end: [1, 3] }));
    });

    it('end case with destroyed(X) after as_of_end: ends at as_of_end (midnight, not counted)', async () => {
      const r = await run({ events: [on('02-01 10:00', 2)], asOf: '2018-02-02' });
      // min(02-03 12:00, 02-03 00:00) = 02-03 00:00: 01, 02.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], end: [1, 2] }));
    });

    it('end case with destroyed(X) empty: ends at as_of_end', async () => {
      const r = await run({ events: [on('02-01 10:00', 1)], asOf: '2018-02-03' });
      // [02-01 10:00, 02-04 00:00) = 01..03.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], end: [1, 3] }));
    });

    it('end case with X absent from servers.csv: ends at as_of_end', async () => {
      const r = await run({ events: [on('02-01 10:00', 9)], asOf: '2018-02-03' });
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], end: [1, 3] }));
      expect(r.quality).toMatchObject({ unknown_server_events: 1, unknown_servers: 1 });
    });

    it('end case with the default as_of: the end of the latest event day', async () => {
      const r = await run({ events: [on('02-01 10:00', 1)] });
      // as_of = 02-01; [02-01 10:00, 02-02 00:00) touches 02-01 only.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], end: [1, 1] }));
      expect(r.quality).toMatchObject({
        as_of: '2018-02-01',
        as_of_end: '2018-02-02 00:00:00.000000',
        as_of_source: 'latest event',
        days: 1,
      });
    });
  });

  describe('section 2: edge cases', () => {
    it('rule 2 on a server already destroyed: the single instant [s, s]', async () => {
      const r = await run({
        events: [on('02-04 10:00', 2), on('02-06 10:00', 1), off('02-06 11:00', 1)],
      });
      // min(destroyed(2) = 02-03 12:00, 02-06 10:00) < s = 02-04 10:00 -> [s, s]: 02-04 only.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-04': 1, '2018-02-05': 0, '2018-02-06': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_2: [1, 1], rule_3: [1, 1] }));
      expect(r.quality).toMatchObject({ intervals: 2, clamped_intervals: 1 });
    });

    it('rule 4 on a server already destroyed: the single instant [s, s]', async () => {
      const r = await run({ events: [on('02-04 10:00', 2), off('02-06 10:00', 1)] });
      // destroyed(2) = 02-03 12:00 < s: [02-04 10:00, 02-04 10:00].
      expect(tuples(r.daily)).toEqual(small({ '2018-02-04': 1, '2018-02-05': 0, '2018-02-06': 0 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_4: [1, 1] }));
      expect(r.quality).toMatchObject({ intervals: 1, clamped_intervals: 1 });
    });

    it('end case on a server already destroyed: the single instant [s, s]', async () => {
      const r = await run({ events: [on('02-05 10:00', 2)], asOf: '2018-02-07' });
      expect(tuples(r.daily)).toEqual(small({ '2018-02-05': 1, '2018-02-06': 0, '2018-02-07': 0 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], end: [1, 1] }));
      expect(r.quality).toMatchObject({ clamped_intervals: 1 });
    });

    it('an end equal to the start is an instant, not a clamp', async () => {
      const r = await run({ events: [on('02-01 10:00', 1), off('02-01 10:00', 1)] });
      // Equal timestamps, file order: online then offline -> rule 3 [t, t], counts 02-01.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_3: [1, 1] }));
      expect(r.quality).toMatchObject({ intervals: 1, clamped_intervals: 0 });
    });

    it('a device whose events are all offline: leading offline, then rule 8, no interval', async () => {
      const r = await run({ events: [off('02-01 10:00', 1), off('02-01 12:00', 3)] });
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 0 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ leading_offline: [1, 0], rule_8: [1, 0] }));
      expect(r.quality).toMatchObject({
        devices: 1,
        users_with_online_events: 0,
        intervals: 0,
        device_days: 0,
      });
    });

    it('equal timestamps keep file order: offline then online', async () => {
      const r = await run({
        events: [on('02-01 10:00', 1), off('02-03 10:00', 1), on('02-03 10:00', 1)],
        asOf: '2018-02-05',
      });
      // rule 3 [02-01 10:00, 02-03 10:00], then online again (rule 5) until as_of_end: 01..05.
      expect(tuples(r.daily)).toEqual(
        small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1, '2018-02-04': 1, '2018-02-05': 1 }),
      );
      expect(ruleCounts(r.quality)).toEqual(
        rules({ first_online: [1, 0], rule_3: [1, 2], rule_5: [1, 0], end: [1, 3] }),
      );
    });

    it('equal timestamps keep file order: online then offline', async () => {
      const r = await run({
        events: [on('02-01 10:00', 1), on('02-03 10:00', 1), off('02-03 10:00', 1)],
        asOf: '2018-02-05',
      });
      // rule 1 [02-01 10:00, 02-03 10:00], rule 3 [02-03 10:00, 02-03 10:00]; offline after: 04, 05 empty.
      expect(tuples(r.daily)).toEqual(
        small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1, '2018-02-04': 0, '2018-02-05': 0 }),
      );
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_1: [1, 2], rule_3: [1, 1] }));
    });

    it('an unsorted file: timestamp first, file order only among equal timestamps', async () => {
      const r = await run({
        events: [off('02-03 10:00', 1), on('02-03 10:00', 1), on('02-01 10:00', 1)],
        asOf: '2018-02-05',
      });
      // Same order as "offline then online": 02-01 online, 02-03 offline, 02-03 online.
      expect(tuples(r.daily)).toEqual(
        small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1, '2018-02-04': 1, '2018-02-05': 1 }),
      );
      expect(ruleCounts(r.quality)).toEqual(
        rules({ first_online: [1, 0], rule_3: [1, 2], rule_5: [1, 0], end: [1, 3] }),
      );
      expect(r.quality.first_event).toBe('2018-02-01 10:00:00.000000');
    });

    it('an end exactly at midnight does not count that day', async () => {
      const r = await run({ events: [on('02-01 10:00', 1), off('02-02 00:00:00', 1)] });
      // [02-01 10:00, 02-02 00:00) touches 02-01 only; as_of is still 02-02 (the offline event's day).
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 0 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_3: [1, 1] }));
      expect(r.quality.as_of).toBe('2018-02-02');
    });

    it('an end one microsecond after midnight counts that day', async () => {
      const r = await run({ events: [on('02-01 10:00', 1), off('02-02 00:00:00.000001', 1)] });
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_3: [1, 2] }));
      expect(r.quality.last_event).toBe('2018-02-02 00:00:00.000001');
    });

    it('midnight to midnight is exactly one day', async () => {
      const r = await run({ events: [on('02-01 00:00:00', 1), off('02-02 00:00:00', 1)] });
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 0 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_3: [1, 1] }));
    });

    it('a single instant at midnight counts its day', async () => {
      const r = await run({ events: [on('02-02 00:00:00', 1), off('02-02 00:00:00', 1)] });
      // e = s: day(s) = 02-02, even though an interval ending there would not count it.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-02': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_3: [1, 1] }));
    });

    it('a one-second interval just before midnight counts its day only', async () => {
      const r = await run({ events: [on('02-01 23:59:59', 1), off('02-02 00:00:00', 1)] });
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 0 }));
    });

    it('an interval spanning several days, across a year boundary', async () => {
      const r = await run({ events: [on('2017-12-30 22:00', 1), off('2018-01-02 01:00', 1)] });
      expect(tuples(r.daily)).toEqual(
        small({ '2017-12-30': 1, '2017-12-31': 1, '2018-01-01': 1, '2018-01-02': 1 }),
      );
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_3: [1, 4] }));
      expect(r.quality).toMatchObject({ days: 4, device_days: 4 });
    });

    it('an interval across a leap day', async () => {
      const r = await run({
        servers: ['1,2016-01-01 00:00:00,'],
        events: [on('2016-02-28 12:00', 1), off('2016-03-01 12:00', 1)],
      });
      expect(tuples(r.daily)).toEqual(small({ '2016-02-28': 1, '2016-02-29': 1, '2016-03-01': 1 }));
    });

    it('timestamps before 1970 get their own UTC day', async () => {
      const r = await run({
        servers: ['1,1960-01-01 00:00:00,'],
        events: [on('1969-12-31 23:59:59.999999', 1), off('1970-01-01 00:00:00', 1)],
      });
      // [1969-12-31 23:59:59.999999, 1970-01-01 00:00) touches 1969-12-31 only.
      expect(tuples(r.daily)).toEqual(small({ '1969-12-31': 1, '1970-01-01': 0 }));
    });

    it('the last microsecond of a day in a far-future year belongs to that day', async () => {
      // SPEC accepts any YYYY; days are exact UTC calendar days.
      const r = await run({
        servers: ['1,2018-01-01 00:00:00,'],
        events: [on('2400-01-01 23:59:59.999999', 1), off('2400-01-01 23:59:59.999999', 1)],
      });
      // A single instant: day(s) = 2400-01-01.
      expect(tuples(r.daily)).toEqual(small({ '2400-01-01': 1 }));
      expect(r.quality).toMatchObject({ device_days: 1 });
    });
  });

  describe('section 4: owner, fleet size and buckets', () => {
    // Devices 2 and 3 belong to user 20 on 02-01 (a 30-minute session each).
    const user20Pair = [2, 3].flatMap((device) => [
      on('02-01 09:00', 1, { device, user: 20 }),
      off('02-01 09:30', 1, { device, user: 20 }),
    ]);

    it('owner change within a day: the latest-starting interval wins (to user 20)', async () => {
      const r = await run({
        events: [
          ...user20Pair,
          on('02-01 08:00', 1, { user: 10 }),
          on('02-01 12:00', 1, { user: 20 }),
          off('02-01 13:00', 1, { user: 20 }),
        ],
      });
      // Device 1 belongs to user 20 (interval from 12:00): user 20 has 3 devices -> all 3 in 3-9.
      expect(tuples(r.daily)).toEqual([['2018-02-01', 0, 3, 0, 0, 0, 3]]);
      expect(r.quality).toMatchObject({ devices: 3, users_with_online_events: 2 });
    });

    it('owner change within a day: the latest-starting interval wins (to user 10)', async () => {
      const r = await run({
        events: [
          ...user20Pair,
          on('02-01 08:00', 1, { user: 20 }),
          on('02-01 12:00', 1, { user: 10 }),
          off('02-01 13:00', 1, { user: 10 }),
        ],
      });
      // Device 1 belongs to user 10: fleets 20 -> 2, 10 -> 1; a device counts once: total 3, all in 1-2.
      expect(tuples(r.daily)).toEqual([['2018-02-01', 3, 0, 0, 0, 0, 3]]);
    });

    it('owner of each day of a multi-day interval, and the rolling owner', async () => {
      const pairOnTwoDays = [2, 3].flatMap((device) =>
        ['02-01', '02-02'].flatMap((d) => [
          on(`${d} 09:00`, 1, { device, user: 20 }),
          off(`${d} 09:30`, 1, { device, user: 20 }),
        ]),
      );
      const r = await run({
        events: [
          ...pairOnTwoDays,
          on('02-01 08:00', 1, { user: 10 }),
          on('02-02 12:00', 1, { user: 20 }),
          off('02-02 13:00', 1, { user: 20 }),
        ],
      });
      // 02-01: device 1 only in [02-01 08:00, 02-02 12:00] -> user 10 (fleet 1), user 20 fleet 2: 3 in 1-2.
      // 02-02: both of device 1's intervals touch it; the one from 02-02 12:00 (user 20) starts later:
      //        user 20 fleet 3 -> 3 in 3-9.
      expect(tuples(r.daily)).toEqual([
        ['2018-02-01', 3, 0, 0, 0, 0, 3],
        ['2018-02-02', 0, 3, 0, 0, 0, 3],
      ]);
      // Rolling 02-02: device 1's latest online day is 02-02 (user 20) -> 3 in 3-9, as daily.
      expect(tuples(r.rolling28)).toEqual([
        ['2018-02-01', 3, 0, 0, 0, 0, 3],
        ['2018-02-02', 0, 3, 0, 0, 0, 3],
      ]);
    });

    it('the days a rule-4 interval reaches past a later interval: owned where no later interval touches them, daily and over 28 days', async () => {
      const user20Long = [2, 3].flatMap((device) => [
        on('02-01 09:00', 3, { device, user: 20 }),
        off('02-12 09:00', 3, { device, user: 20 }),
      ]);
      const r = await run({
        events: [
          ...user20Long,
          on('02-01 10:00', 2, { user: 10 }),
          off('02-01 11:00', 1, { user: 10 }),
          on('02-02 08:00', 1, { user: 20 }),
          off('02-02 09:00', 1, { user: 20 }),
          on('02-10 10:00', 1, { user: 20 }),
          off('02-10 11:00', 1, { user: 20 }),
        ],
      });
      // Device 1: rule 4 [02-01 10:00, destroyed(2) = 02-03 12:00] (user 10) touches 01..03, past the
      // rule-3 interval of 02-02 (user 20), which starts later and owns 02; 03 is touched by the rule-4
      // interval only, so it is user 10's. Then 10 (user 20). Devices 2 and 3: user 20, 01..12.
      const days = (from: number, to: number, row: number[]) =>
        Array.from({ length: to - from + 1 }, (_, k) => [
          `2018-02-${String(from + k).padStart(2, '0')}`,
          ...row,
        ]);
      expect(tuples(r.daily)).toEqual([
        ...days(1, 1, [3, 0, 0, 0, 0, 3]),
        ...days(2, 2, [0, 3, 0, 0, 0, 3]),
        ...days(3, 3, [3, 0, 0, 0, 0, 3]),
        ...days(4, 9, [2, 0, 0, 0, 0, 2]),
        ...days(10, 10, [0, 3, 0, 0, 0, 3]),
        ...days(11, 12, [2, 0, 0, 0, 0, 2]),
      ]);
      // Over 28 days device 1's latest online day is 03 (user 10) until it is online again on 10: user 20
      // holds 2 devices on 03..09 and 3 on 02 and 10..12.
      expect(tuples(r.rolling28)).toEqual([
        ...days(1, 1, [3, 0, 0, 0, 0, 3]),
        ...days(2, 2, [0, 3, 0, 0, 0, 3]),
        ...days(3, 9, [3, 0, 0, 0, 0, 3]),
        ...days(10, 12, [0, 3, 0, 0, 0, 3]),
      ]);
      expect(ruleCounts(r.quality)).toEqual(
        rules({ first_online: [3, 0], rule_4: [1, 2], rule_5: [2, 0], rule_3: [4, 26] }),
      );
      // 01 and 03 of device 1 rest on the rule-4 interval alone.
      expect(r.quality).toMatchObject({ device_days: 28, device_days_repaired_only: 2 });
    });

    it('two intervals starting at the same time: the later event in file order owns the day', async () => {
      const r = await run({
        events: [
          ...user20Pair,
          on('02-01 10:00', 1, { user: 10 }),
          on('02-01 10:00', 1, { user: 20 }),
          off('02-01 11:00', 1, { user: 20 }),
        ],
      });
      // Device 1: [10:00, 10:00] user 10 (rule 1) and [10:00, 11:00] user 20 (rule 3): the tie goes to
      // the later event (docs/metric.md), user 20 -> fleet 3.
      expect(tuples(r.daily)).toEqual([['2018-02-01', 0, 3, 0, 0, 0, 3]]);
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [3, 0], rule_1: [1, 0], rule_3: [3, 3] }));
    });

    it('bucket boundaries 2/3, 9/10, 99/100, 999/1000 (one user growing day by day)', async () => {
      const sizes = [2, 3, 9, 10, 99, 100, 999, 1000];
      const events: string[] = [];
      sizes.forEach((n, k) => {
        const day = `02-0${k + 1}`;
        for (let device = 1; device <= n; device++) {
          events.push(
            on(`${day} 12:00:00`, 1, { device, user: 1 }),
            off(`${day} 12:00:01`, 1, { device, user: 1 }),
          );
        }
      });
      const r = await run({ events });
      // Day k: user 1 has sizes[k] devices online, all in that size's bucket.
      const expected = [
        ['2018-02-01', 2, 0, 0, 0, 0, 2],
        ['2018-02-02', 0, 3, 0, 0, 0, 3],
        ['2018-02-03', 0, 9, 0, 0, 0, 9],
        ['2018-02-04', 0, 0, 10, 0, 0, 10],
        ['2018-02-05', 0, 0, 99, 0, 0, 99],
        ['2018-02-06', 0, 0, 0, 100, 0, 100],
        ['2018-02-07', 0, 0, 0, 999, 0, 999],
        ['2018-02-08', 0, 0, 0, 0, 1000, 1000],
      ];
      expect(tuples(r.daily)).toEqual(expected);
      // The devices online in the window ending on day k are devices 1..sizes[k]: the same rows.
      expect(tuples(r.rolling28)).toEqual(expected);
      // 2222 sessions, one rule-3 interval each; 1000 devices start online, the other 1222 sessions
      // are offline 1 -> online 1 (rule 5).
      expect(ruleCounts(r.quality)).toEqual(
        rules({ first_online: [1000, 0], rule_5: [1222, 0], rule_3: [2222, 2222] }),
      );
      expect(r.quality).toMatchObject({ devices: 1000, device_days: 2222 });
    });

    it('bucket boundaries on one day, one user per fleet size', async () => {
      const sizes = [2, 3, 9, 10, 99, 100, 999, 1000];
      const events: string[] = [];
      let device = 0;
      sizes.forEach((n, user) => {
        for (let i = 0; i < n; i++) {
          device += 1;
          events.push(on('02-01 12:00:00', 1, { device, user }), off('02-01 12:00:01', 1, { device, user }));
        }
      });
      const r = await run({ events });
      // 1-2: 2; 3-9: 3 + 9; 10-99: 10 + 99; 100-999: 100 + 999; 1000+: 1000; total 2222.
      expect(tuples(r.daily)).toEqual([['2018-02-01', 2, 12, 109, 1099, 1000, 2222]]);
      expect(r.quality).toMatchObject({ devices: 2222, users_with_online_events: 8 });
    });
  });

  describe('section 5: rolling 28 days', () => {
    it('window D-27..D, owner = latest online day in the window, zero days present', async () => {
      const r = await run({
        events: [
          on('02-01 10:00', 1, { device: 1, user: 1 }),
          off('02-01 11:00', 1, { device: 1, user: 1 }),
          on('02-01 10:00', 1, { device: 2, user: 1 }),
          off('02-01 11:00', 1, { device: 2, user: 1 }),
          on('02-01 10:00', 1, { device: 3, user: 1 }),
          off('02-01 11:00', 1, { device: 3, user: 1 }),
          on('02-10 10:00', 1, { device: 3, user: 2 }),
          off('02-10 11:00', 1, { device: 3, user: 2 }),
        ],
        asOf: '2018-03-10',
      });
      const days = (from: number, to: number, row: number[]) => {
        const out: unknown[] = [];
        for (let d = dayNumber('2018-02-01') + from; d <= dayNumber('2018-02-01') + to; d++)
          out.push([new Date(d * 86_400_000).toISOString().slice(0, 10), ...row]);
        return out;
      };
      // Daily: 02-01 user 1 has devices 1-3 (3-9); 02-10 device 3 alone for user 2 (1-2); other days 0.
      expect(tuples(r.daily)).toEqual([
        ...days(0, 0, [0, 3, 0, 0, 0, 3]),
        ...days(1, 8, [0, 0, 0, 0, 0, 0]),
        ...days(9, 9, [1, 0, 0, 0, 0, 1]),
        ...days(10, 37, [0, 0, 0, 0, 0, 0]),
      ]);
      expect(r.daily).toHaveLength(38); // 02-01 .. 03-10
      // Rolling:
      // 02-01..02-09: window holds 02-01 only: user 1 with 3 devices -> 3 in 3-9.
      // 02-10..02-28: window still holds 02-01 (02-28 - 27 = 02-01); device 3's latest online day is
      //   02-10 (user 2): user 1 -> 2 devices, user 2 -> 1: 3 in 1-2.
      // 03-01..03-09: 02-01 has left the window (03-01 - 27 = 02-02); 02-10 is in it until 03-09: 1.
      // 03-10: window 02-11..03-10, nothing.
      expect(tuples(r.rolling28)).toEqual([
        ...days(0, 8, [0, 3, 0, 0, 0, 3]),
        ...days(9, 27, [3, 0, 0, 0, 0, 3]),
        ...days(28, 36, [1, 0, 0, 0, 0, 1]),
        ...days(37, 37, [0, 0, 0, 0, 0, 0]),
      ]);
    });

    it('a device online on several days of the window counts once, for its latest day', async () => {
      const r = await run({
        events: [
          on('02-01 10:00', 1, { device: 1, user: 1 }),
          off('02-01 11:00', 1, { device: 1, user: 1 }),
          on('02-03 10:00', 1, { device: 1, user: 1 }),
          off('02-03 11:00', 1, { device: 1, user: 1 }),
          on('02-02 10:00', 1, { device: 2, user: 1 }),
          off('02-02 11:00', 1, { device: 2, user: 1 }),
          on('02-02 10:00', 1, { device: 3, user: 1 }),
          off('02-02 11:00', 1, { device: 3, user: 1 }),
        ],
      });
      // Daily: 01 device 1; 02 devices 2, 3; 03 device 1 (all user 1, fleets 1, 2, 1).
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 2, '2018-02-03': 1 }));
      // Rolling: 01 {1}; 02 {1, 2, 3} -> fleet 3; 03 {1, 2, 3} -> fleet 3 (device 1 once).
      expect(tuples(r.rolling28)).toEqual([
        ['2018-02-01', 1, 0, 0, 0, 0, 1],
        ['2018-02-02', 0, 3, 0, 0, 0, 3],
        ['2018-02-03', 0, 3, 0, 0, 0, 3],
      ]);
    });
  });

  describe('--as-of and the observation window', () => {
    it('events after as_of_end are left out; the end case is clipped to as_of_end', async () => {
      const r = await run({
        events: [on('02-01 10:00', 1), off('02-03 10:00', 1), on('02-05 10:00', 3)],
        asOf: '2018-02-02',
      });
      // Only the 02-01 event is known: end case [02-01 10:00, 02-03 00:00) -> 01, 02.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1 }));
      expect(tuples(r.rolling28)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], end: [1, 2] }));
      expect(r.quality).toMatchObject({
        as_of: '2018-02-02',
        as_of_end: '2018-02-03 00:00:00.000000',
        as_of_source: '--as-of',
        first_event: '2018-02-01 10:00:00.000000',
        last_event: '2018-02-01 10:00:00.000000',
        days: 2,
      });
      expect(r.quality.inputs.events).toMatchObject({ rows_read: 3, rows_used: 1, rows_after_as_of: 2 });
    });

    it('an event exactly at as_of_end is left out', async () => {
      const r = await run({ events: [on('02-01 10:00', 1), off('02-03 00:00:00', 1)], asOf: '2018-02-02' });
      // The offline at 02-03 00:00 is not known yet: end case (not rule 3), same days 01, 02.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], end: [1, 2] }));
      expect(r.quality.inputs.events).toMatchObject({ rows_used: 1, rows_after_as_of: 1 });
    });

    it('the same file without --as-of: the offline event closes the interval (rule 3)', async () => {
      const r = await run({ events: [on('02-01 10:00', 1), off('02-03 00:00:00', 1)] });
      // as_of = 02-03; [02-01 10:00, 02-03 00:00) -> 01, 02; 02-03 present with 0.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 0 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_3: [1, 2] }));
      expect(r.quality.inputs.events).toMatchObject({ rows_used: 2, rows_after_as_of: 0 });
    });

    it('--as-of after the data adds days with zeros', async () => {
      const r = await run({ events: [on('02-01 10:00', 1), off('02-02 10:00', 1)], asOf: '2018-02-04' });
      expect(tuples(r.daily)).toEqual(
        small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 0, '2018-02-04': 0 }),
      );
      expect(tuples(r.rolling28)).toEqual(
        small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1, '2018-02-04': 1 }),
      );
      expect(r.quality).toMatchObject({
        days: 4,
        as_of: '2018-02-04',
        last_event: '2018-02-02 10:00:00.000000',
      });
    });

    it('a rule-4 interval past as_of counts only up to as_of', async () => {
      const r = await run({ events: [on('02-01 10:00', 2), off('02-01 11:00', 1)] });
      // as_of = 02-01; [02-01 10:00, 02-03 12:00] is cut at the window: one device-day.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1 }));
      expect(ruleCounts(r.quality)).toEqual(rules({ first_online: [1, 0], rule_4: [1, 1] }));
      expect(r.quality).toMatchObject({ device_days: 1 });
    });

    it('default as_of is the day of the latest event, whatever the device', async () => {
      const r = await run({
        events: [on('02-01 10:00', 1, { device: 1 }), on('02-03 23:59:59.999999', 1, { device: 2 })],
      });
      // as_of = 02-03: device 1 online 01..03 (end case), device 2 from 23:59:59.999999 on 02-03.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 2 }));
      expect(r.quality).toMatchObject({
        as_of: '2018-02-03',
        as_of_end: '2018-02-04 00:00:00.000000',
        last_event: '2018-02-03 23:59:59.999999',
      });
    });

    it('default as_of counts a trailing offline event of another device', async () => {
      const r = await run({
        events: [on('02-01 10:00', 1, { device: 1 }), off('02-04 08:00', 1, { device: 2 })],
      });
      // as_of = 02-04 (device 2's leading offline): device 1 online 01..04.
      expect(tuples(r.daily)).toEqual(
        small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1, '2018-02-04': 1 }),
      );
      expect(ruleCounts(r.quality)).toEqual(
        rules({ first_online: [1, 0], end: [1, 4], leading_offline: [1, 0] }),
      );
    });

    it('--as-of before the first event is a usage error', async () => {
      const dir = tempDir();
      const events = writeEvents(`${dir}/e.csv`, [on('02-05 10:00', 1)]);
      const servers = writeServers(`${dir}/s.csv`, SERVERS);
      const eng = engine.open ? await engine.open({ events, servers }) : undefined;
      try {
        await expect(
          analyze({
            events,
            servers,
            out: `${dir}/out`,
            asOfDay: dayNumber('2018-02-01'),
            quiet: true,
            engine: eng,
          }),
        ).rejects.toBeInstanceOf(UsageError);
      } finally {
        await eng?.close();
      }
    });
  });

  describe('quality.json counters', () => {
    it('a mixed timeline: every counter by hand', async () => {
      const r = await run({
        events: [
          off('02-01 08:00', 1), // device 1: leading offline
          on('02-01 09:00', 9), // offline 1 -> online 9: rule 6; server 9 unknown
          '', // a blank line: skipped and counted
          on('02-02 09:00', 2), // closes [02-01 09:00, 02-02 09:00] (rule 2, destroyed(9) unknown -> t)
          off('02-04 10:00', 1), // rule 4: [02-02 09:00, destroyed(2) = 02-03 12:00]
          on('02-05 10:00', 2, { device: 2, user: 11 }), // device 2 on destroyed server 2: end case [s, s]
        ],
      });
      // Device 1: 01, 02 (rule 2), 02, 03 (rule 4); device 2: 05 (end, clamped). 04 nobody.
      // A rule's device-days are the days its intervals own: 02 goes to the later rule-4 interval.
      expect(tuples(r.daily)).toEqual(
        small({ '2018-02-01': 1, '2018-02-02': 1, '2018-02-03': 1, '2018-02-04': 0, '2018-02-05': 1 }),
      );
      expect(ruleCounts(r.quality)).toEqual(
        rules({
          leading_offline: [1, 0],
          rule_6: [1, 0],
          rule_2: [1, 1],
          rule_4: [1, 2],
          first_online: [1, 0],
          end: [1, 1],
        }),
      );
      expect(r.quality).toMatchObject({
        as_of: '2018-02-05',
        as_of_end: '2018-02-06 00:00:00.000000',
        as_of_source: 'latest event',
        first_event: '2018-02-01 08:00:00.000000',
        last_event: '2018-02-05 10:00:00.000000',
        days: 5,
        devices: 2,
        users_with_online_events: 2,
        unknown_server_events: 1,
        unknown_servers: 1,
        intervals: 3,
        clamped_intervals: 1,
        device_days: 4,
        device_days_repaired_only: 4,
      });
      expect(r.quality.inputs.events).toMatchObject({
        gzip: false,
        header: false,
        rows_read: 5,
        rows_used: 5,
        rows_rejected: 0,
        rows_after_as_of: 0,
        blank_lines: 1,
      });
      expect(r.quality.inputs.servers).toMatchObject({ rows_read: 3, rows_used: 3, rows_rejected: 0 });
      expect(r.quality.inputs.rejects_file).toBeNull();
      expect(r.quality.tool).toMatchObject({ name: 'fleetpulse' });
    });

    it('rejected lines are counted and left out of the metric (--max-rejects)', async () => {
      const r = await run({
        events: [
          on('02-01 10:00', 1),
          '2018-02-01 11:00:00,1,10,1,maybe', // bad boolean: rejected, so the device stays online
          on('02-02 10:00', 1, { device: 2 }),
        ],
        servers: [...SERVERS, '4,2018-01-05 00:00:00,2018-01-04 00:00:00'], // destroyed before created
        maxRejects: 2,
      });
      // Device 1: end case [02-01 10:00, 02-03 00:00) -> 01, 02; device 2: 02.
      expect(tuples(r.daily)).toEqual(small({ '2018-02-01': 1, '2018-02-02': 2 }));
      expect(r.quality.inputs.events).toMatchObject({ rows_read: 3, rows_used: 2, rows_rejected: 1 });
      expect(r.quality.inputs.servers).toMatchObject({ rows_read: 4, rows_used: 3, rows_rejected: 1 });
      expect(r.quality.inputs.rejects_file).toBe('rejects.csv');
    });
  });
});
