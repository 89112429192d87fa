/**
 * SPEC section 1: every allowed spelling of the same inputs gives the same
 * outputs (header or not, gzip detected by bytes, CRLF, shuffled rows, every
 * timestamp and boolean form), and that shared output is SPEC's (checked
 * against the reference).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QualityReport } from '../src/repair/quality.js';
import { ENGINES } from './helpers/engines.js';
import {
  type CsvForm,
  formatTs,
  minFracDigits,
  removeTempDirs,
  type TsForm,
  tempDir,
  us,
  writeEvents,
  writeServers,
} from './helpers/fixtures.js';
import { type RunOutput, runAnalyze } from './helpers/run.js';
import { referenceAnalyze } from './reference/spec-reference.js';

interface Ev {
  at: string;
  device: number;
  user: number;
  server: number;
  connected: boolean;
}

// A small timeline touching the rules and the fraction digits 0..6.
const EVENTS: Ev[] = [
  { at: '2018-02-01 09:00:00', device: 1, user: 10, server: 1, connected: true },
  { at: '2018-02-01 09:30:00.5', device: 2, user: 10, server: 2, connected: true },
  { at: '2018-02-01 23:59:59.25', device: 3, user: 11, server: 9, connected: true },
  { at: '2018-02-02 00:00:00', device: 1, user: 10, server: 1, connected: false },
  // rule 2 from server 2 (destroyed 06:00:00.0625, before t), then the same timestamp offline: file order
  { at: '2018-02-02 08:00:00.125', device: 2, user: 10, server: 1, connected: true },
  { at: '2018-02-02 08:00:00.125', device: 2, user: 10, server: 1, connected: false },
  { at: '2018-02-03 12:00:00.000001', device: 1, user: 12, server: 1, connected: true },
  { at: '2018-02-03 13:00:00.654321', device: 3, user: 11, server: 1, connected: false },
  { at: '2018-02-04 10:00:00.1', device: 1, user: 12, server: 3, connected: true },
  { at: '2018-02-05 07:07:07.77', device: 2, user: 10, server: 3, connected: false },
  { at: '2018-02-05 07:07:07.0007', device: 4, user: 13, server: 3, connected: true },
];

interface Server {
  id: number;
  created: string;
  destroyed?: string;
}
const SERVERS: Server[] = [
  { id: 1, created: '2018-01-01 00:00:00' },
  { id: 2, created: '2018-01-01 00:00:00.5', destroyed: '2018-02-02 06:00:00.0625' },
  { id: 3, created: '2017-12-31 23:59:59.999999' },
];

interface Spelling {
  ts?: TsForm | ((i: number) => TsForm);
  booleans?: [string, string] | ((i: number) => [string, string]);
}

function pick<T>(v: T | ((i: number) => T) | undefined, i: number, dflt: T): T {
  if (v === undefined) return dflt;
  return typeof v === 'function' ? (v as (i: number) => T)(i) : v;
}

/** Timestamp forms with at least `digits` fraction digits where the value allows (more if it needs). */
function withDigits(digits: number, base: TsForm = {}): (t: bigint) => TsForm {
  return (t) => ({ ...base, frac: Math.max(digits, minFracDigits(t)) });
}

function eventLines(events: Ev[], sp: Spelling = {}): string[] {
  return events.map((e, i) => {
    const t = us(e.at);
    const tsForm = pick(sp.ts, i, {});
    const b = pick(sp.booleans, i, ['true', 'false']);
    return `${formatTs(t, tsForm)},${e.device},${e.user},${e.server},${e.connected ? b[0] : b[1]}`;
  });
}

function serverLines(sp: { ts?: (t: bigint) => TsForm } = {}): string[] {
  const f = (text: string) => formatTs(us(text), sp.ts ? sp.ts(us(text)) : {});
  return SERVERS.map((s) => `${s.id},${f(s.created)},${s.destroyed ? f(s.destroyed) : ''}`);
}

/** Per-line timestamp form from a function of the value (fraction digits depend on it). */
function tsBy(fn: (t: bigint) => TsForm): (i: number) => TsForm {
  return (i) => fn(us((EVENTS[i] as Ev).at));
}

/** The outputs that must not depend on the spelling of the inputs. */
function comparable(r: RunOutput): unknown {
  const q: QualityReport = structuredClone(r.quality);
  const { file: _ef, gzip: _eg, header: _eh, ...events } = q.inputs.events;
  const { file: _sf, gzip: _sg, header: _sh, ...servers } = q.inputs.servers;
  return {
    daily: r.daily,
    rolling28: r.rolling28,
    quality: { ...q, inputs: { ...q.inputs, events, servers } },
  };
}

// A shuffle that keeps the two equal-timestamp events of device 2 (indexes 4, 5) in order.
const SHUFFLE = [9, 4, 2, 10, 7, 0, 5, 3, 8, 1, 6];

interface Case {
  name: string;
  events: string[];
  servers?: string[];
  eventsForm?: CsvForm;
  serversForm?: CsvForm;
  eventsFile?: string;
}

const CASES: Case[] = [
  { name: 'header row', events: eventLines(EVENTS), eventsForm: { header: true } },
  { name: 'gzip, named .csv', events: eventLines(EVENTS), eventsForm: { gzip: true } },
  {
    name: 'gzip, named .csv.gz',
    events: eventLines(EVENTS),
    eventsForm: { gzip: true },
    eventsFile: 'connectivity_events.csv.gz',
  },
  { name: 'CRLF line endings', events: eventLines(EVENTS), eventsForm: { crlf: true } },
  { name: 'CRLF and header', events: eventLines(EVENTS), eventsForm: { crlf: true, header: true } },
  {
    name: 'gzip, CRLF and header',
    events: eventLines(EVENTS),
    eventsForm: { gzip: true, crlf: true, header: true },
  },
  { name: 'no newline after the last line', events: eventLines(EVENTS), eventsForm: { finalNewline: false } },
  {
    name: 'CRLF, no newline at the end',
    events: eventLines(EVENTS),
    eventsForm: { crlf: true, finalNewline: false },
  },
  { name: 'shuffled rows', events: SHUFFLE.map((i) => eventLines(EVENTS)[i] as string) },
  { name: "'T' separator", events: eventLines(EVENTS, { ts: { sep: 'T' } }) },
  { name: "trailing 'Z'", events: eventLines(EVENTS, { ts: { zone: 'Z' } }) },
  { name: "trailing '+00'", events: eventLines(EVENTS, { ts: { zone: '+00' } }) },
  { name: "trailing '+00:00'", events: eventLines(EVENTS, { ts: { zone: '+00:00' } }) },
  { name: "'T' and 'Z'", events: eventLines(EVENTS, { ts: { sep: 'T', zone: 'Z' } }) },
  ...[1, 2, 3, 4, 5, 6].map((k) => ({
    name: `fraction of ${k} digit(s) where the value allows`,
    events: eventLines(EVENTS, { ts: tsBy(withDigits(k)) }),
  })),
  {
    name: 'every timestamp form mixed line by line',
    events: eventLines(EVENTS, {
      ts: tsBy((t) => {
        const n = Number((t / 1_000_000n) % 7n);
        const zones: TsForm['zone'][] = ['', 'Z', '+00', '+00:00'];
        return { sep: n % 2 ? 'T' : ' ', zone: zones[n % 4], frac: Math.max(n % 7, minFracDigits(t)) };
      }),
    }),
  },
  ...(
    [
      ['t', 'f'],
      ['1', '0'],
      ['TRUE', 'FALSE'],
      ['T', 'F'],
      ['True', 'False'],
      ['tRuE', 'FaLsE'],
    ] as [string, string][]
  ).map((b) => ({ name: `booleans ${b[0]}/${b[1]}`, events: eventLines(EVENTS, { booleans: b }) })),
  {
    name: 'booleans mixed line by line',
    events: eventLines(EVENTS, {
      booleans: (i) =>
        (
          [
            ['true', 'false'],
            ['t', 'f'],
            ['1', '0'],
            ['T', 'F'],
            ['TRUE', 'false'],
          ] as [string, string][]
        )[i % 5] as [string, string],
    }),
  },
  {
    name: 'ids with leading zeros (007 is 7)',
    events: eventLines(EVENTS).map((l) => l.replace(/,(\d+),(\d+),(\d+),/, ',0$1,00$2,0$3,')),
  },
  { name: 'servers.csv with a header', events: eventLines(EVENTS), serversForm: { header: true } },
  { name: 'servers.csv gzip + CRLF', events: eventLines(EVENTS), serversForm: { gzip: true, crlf: true } },
  {
    name: "servers.csv with 'T', 'Z' and 6-digit fractions",
    events: eventLines(EVENTS),
    servers: serverLines({ ts: () => ({ sep: 'T', zone: 'Z', frac: 6 }) }),
  },
  {
    name: "servers.csv with '+00:00'",
    events: eventLines(EVENTS),
    servers: serverLines({ ts: () => ({ zone: '+00:00' }) }),
  },
  {
    name: 'blank lines in the middle and at the end (skipped, counted)',
    events: [...eventLines(EVENTS).slice(0, 3), '', ...eventLines(EVENTS).slice(3), ''],
  },
];

afterAll(removeTempDirs);

describe.each(ENGINES)('input forms give identical outputs ($name)', (engine) => {
  let canonical: RunOutput;

  beforeAll(async () => {
    canonical = await runAnalyze(engine, { events: eventLines(EVENTS), servers: serverLines() });
  });

  it('the canonical spelling gives SPEC output (reference)', () => {
    const ref = referenceAnalyze({
      events: EVENTS.map((e, pos) => ({
        tsUs: us(e.at),
        device: BigInt(e.device),
        user: BigInt(e.user),
        server: BigInt(e.server),
        connected: e.connected,
        pos,
      })),
      servers: new Map(SERVERS.map((s) => [BigInt(s.id), s.destroyed ? us(s.destroyed) : undefined])),
    });
    expect(canonical.daily).toEqual(ref?.daily);
    expect(canonical.rolling28).toEqual(ref?.rolling28);
    // By hand: as_of is 02-05 (latest event), the file has 11 events, 1 names server 9.
    expect(canonical.quality).toMatchObject({
      as_of: '2018-02-05',
      first_event: '2018-02-01 09:00:00.000000',
      last_event: '2018-02-05 07:07:07.770000',
      unknown_server_events: 1,
    });
    expect(canonical.quality.inputs.events).toMatchObject({ rows_used: 11, header: false, gzip: false });
  });

  it.each(CASES)('$name', async (c) => {
    const dir = tempDir();
    const events = writeEvents(join(dir, c.eventsFile ?? 'connectivity_events.csv'), c.events, c.eventsForm);
    const servers = writeServers(join(dir, 'servers.csv'), c.servers ?? serverLines(), c.serversForm);
    const r = await runAnalyze(engine, { events: { path: events }, servers: { path: servers } });
    const blank = c.events.filter((l) => l === '').length;
    if (blank === 0) {
      expect(comparable(r)).toEqual(comparable(canonical));
    } else {
      const want = structuredClone(comparable(canonical)) as { quality: QualityReport };
      want.quality.inputs.events.blank_lines = blank;
      expect(comparable(r)).toEqual(want);
    }
    // Header and gzip are detected (gzip from the bytes, not the name).
    expect(r.quality.inputs.events.header).toBe(Boolean(c.eventsForm?.header));
    expect(r.quality.inputs.events.gzip).toBe(Boolean(c.eventsForm?.gzip));
    expect(r.quality.inputs.servers.header).toBe(Boolean(c.serversForm?.header));
    expect(r.quality.inputs.servers.gzip).toBe(Boolean(c.serversForm?.gzip));
  });

  it('a blank first line is skipped like any blank line (not an empty file)', async () => {
    const r = await runAnalyze(engine, { events: ['', ...eventLines(EVENTS)], servers: serverLines() });
    const want = structuredClone(comparable(canonical)) as { quality: QualityReport };
    want.quality.inputs.events.blank_lines = 1;
    expect(comparable(r)).toEqual(want);
  });
});
