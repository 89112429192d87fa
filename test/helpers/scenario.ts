/**
 * Random timelines for the property tests: fast-check arbitraries, the CSV
 * text they are written as, and the same data as the reference's input.
 */
import fc from 'fast-check';
import type { RefEvent, RefInput } from '../reference/spec-reference.js';
import { type CsvForm, DAY_US, dayNumber, formatTs, minFracDigits, type TsForm } from './fixtures.js';

export const BASE_DAY = dayNumber('2018-02-01');

export interface GenEvent {
  tsUs: bigint;
  device: bigint;
  user: bigint;
  server: bigint;
  connected: boolean;
  /** Picks how this line is spelled (timestamp form, boolean spelling). */
  style: number;
}

export interface GenServer {
  id: bigint;
  /** undefined: destroyed_at empty (alive). */
  destroyedUs?: bigint;
  style: number;
}

export interface Scenario {
  /** In file order. */
  events: GenEvent[];
  /** Servers in servers.csv (servers named by events but not here are unknown). */
  servers: GenServer[];
  /** --as-of as days after BASE_DAY, or undefined. */
  asOfOffset?: number;
  eventsForm: CsvForm;
  serversForm: CsvForm;
  /** Indexes (into the data lines) before which a blank line is written. */
  blankBefore: number[];
}

const US_PER_S = 1_000_000n;

/** A time of day biased to the edges: midnight, the last microsecond, whole seconds, any microsecond. */
const timeOfDay = fc.oneof(
  fc.constant(0n),
  fc.constant(DAY_US - 1n),
  fc.integer({ min: 0, max: 86_399 }).map((s) => BigInt(s) * US_PER_S),
  fc.integer({ min: 0, max: 86_399 }).map((s) => BigInt(s) * US_PER_S + 500_000n),
  fc.bigInt({ min: 0n, max: DAY_US - 1n }),
);

/** A timestamp around 2018-02-01: a few days before to `maxDay` days after. */
function timestamp(maxDay: number) {
  return fc
    .tuple(fc.integer({ min: -2, max: maxDay }), timeOfDay)
    .map(([d, t]) => BigInt(BASE_DAY + d) * DAY_US + t);
}

/** Id tables: small ids, or ids past 32 bits (up to the largest unsigned 64-bit value). */
const SMALL_IDS = [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n, 11n, 12n];
const BIG_IDS = [
  4_294_967_295n,
  4_294_967_296n,
  4_294_967_297n,
  9_007_199_254_740_993n,
  18_446_744_073_709_551_615n,
  18_446_744_073_709_551_614n,
  1n,
  2n,
  3n,
  100_000_000_000n,
  100_000_000_001n,
  100_000_000_002n,
  100_000_000_003n,
];

export interface ScenarioOptions {
  maxEvents: number;
  maxDevices: number;
  maxUsers: number;
  maxServers: number;
  /** The span of event days to choose from (default 1, 3, 10 or 45 days). */
  spans?: number[];
  /** fast-check's size of the event list (default 'medium'; 'max' fills up to maxEvents). */
  size?: fc.SizeForArbitrary;
}

export function scenarioArb(o: ScenarioOptions): fc.Arbitrary<Scenario> {
  return fc
    .record({
      maxDay: fc.constantFrom(...(o.spans ?? [1, 3, 10, 45])),
      nUsers: fc.integer({ min: 1, max: o.maxUsers }),
      bigIds: fc.integer({ min: 0, max: 3 }).map((i) => i === 0),
      nDevices: fc.integer({ min: 1, max: o.maxDevices }),
    })
    .chain(({ maxDay, nUsers, bigIds, nDevices }) => {
      const ids = bigIds ? BIG_IDS : SMALL_IDS;
      const id = (max: number) => fc.integer({ min: 0, max: max - 1 }).map((i) => ids[i] as bigint);
      const ts = timestamp(maxDay);
      return fc
        .record({
          // A pool of shared timestamps makes equal timestamps (within and across devices,
          // and with destruction times) common.
          pool: fc.array(ts, { minLength: 1, maxLength: 6 }),
          serverKinds: fc.array(
            fc.record({
              kind: fc.constantFrom('alive', 'destroyed', 'destroyed', 'unknown'),
              destroyed: fc.oneof(
                fc.nat(5).map((i) => ({ pool: i })),
                ts.map((t) => ({ t })),
              ),
              style: fc.nat(1000),
            }),
            { minLength: o.maxServers, maxLength: o.maxServers },
          ),
          events: fc.array(
            fc.record({
              at: fc.oneof(
                fc.nat(5).map((i) => ({ pool: i })),
                ts.map((t) => ({ t })),
              ),
              device: id(nDevices),
              user: id(nUsers),
              server: id(o.maxServers),
              connected: fc.integer({ min: 0, max: 9 }).map((i) => i < 6),
              style: fc.nat(1000),
            }),
            { minLength: 1, maxLength: o.maxEvents, size: o.size ?? 'medium' },
          ),
          sorted: fc.boolean(),
          asOfOffset: fc.option(fc.integer({ min: -3, max: maxDay + 30 }), { freq: 2 }),
          eventsForm: fc.record({ header: fc.boolean(), gzip: fc.boolean(), crlf: fc.boolean() }),
          serversForm: fc.record({ header: fc.boolean(), gzip: fc.boolean(), crlf: fc.boolean() }),
          blankBefore: fc.array(fc.integer({ min: 1, max: o.maxEvents }), { maxLength: 2 }),
        })
        .map((g) => {
          const pick = (a: { pool: number } | { t: bigint }): bigint =>
            'pool' in a ? (g.pool[a.pool % g.pool.length] as bigint) : a.t;
          const servers: GenServer[] = [];
          g.serverKinds.forEach((s, i) => {
            if (s.kind === 'unknown') return;
            servers.push({
              id: ids[i] as bigint,
              destroyedUs: s.kind === 'destroyed' ? pick(s.destroyed) : undefined,
              style: s.style,
            });
          });
          let events: GenEvent[] = g.events.map((e) => ({
            tsUs: pick(e.at),
            device: e.device,
            user: e.user,
            server: e.server,
            connected: e.connected,
            style: e.style,
          }));
          // The production export is sorted by timestamp (a stable sort keeps equal ones in order).
          if (g.sorted) events = [...events].sort((a, b) => (a.tsUs < b.tsUs ? -1 : a.tsUs > b.tsUs ? 1 : 0));
          return {
            events,
            servers,
            asOfOffset: g.asOfOffset ?? undefined,
            eventsForm: g.eventsForm,
            serversForm: g.serversForm,
            // Not before the first line: a leading blank line is tested on its own (test/inputs.test.ts).
            blankBefore: g.blankBefore.filter((i) => i > 0 && i < events.length),
          };
        });
    });
}

const BOOLEANS: [string, string][] = [
  ['true', 'false'],
  ['t', 'f'],
  ['1', '0'],
  ['TRUE', 'FALSE'],
  ['T', 'F'],
  ['True', 'False'],
  ['tRuE', 'fAlSe'],
];

/** One of the timestamp spellings SPEC section 1 allows, chosen by `style`. */
export function tsFormOf(t: bigint, style: number): TsForm {
  const min = minFracDigits(t);
  const zones: TsForm['zone'][] = ['', '', '', 'Z', '+00', '+00:00'];
  const frac = style % 3 === 0 ? 'min' : min + ((style >> 2) % (7 - min));
  return {
    sep: style % 5 === 0 ? 'T' : ' ',
    zone: zones[(style >> 3) % zones.length],
    frac,
  };
}

export function eventLine(e: GenEvent): string {
  const b = BOOLEANS[e.style % BOOLEANS.length] as [string, string];
  return `${formatTs(e.tsUs, tsFormOf(e.tsUs, e.style))},${e.device},${e.user},${e.server},${e.connected ? b[0] : b[1]}`;
}

export function serverLine(s: GenServer): string {
  const created = formatTs(BigInt(BASE_DAY - 400) * DAY_US, tsFormOf(0n, s.style));
  const destroyed =
    s.destroyedUs === undefined ? '' : formatTs(s.destroyedUs, tsFormOf(s.destroyedUs, s.style >> 1));
  return `${s.id},${created},${destroyed}`;
}

/** The data lines of the events file, blank lines included. */
export function eventLines(s: Scenario): string[] {
  const out: string[] = [];
  s.events.forEach((e, i) => {
    for (const b of s.blankBefore) if (b === i) out.push('');
    out.push(eventLine(e));
  });
  return out;
}

/** The scenario as the reference's input (positions = order in the file). */
export function referenceInput(s: Scenario): RefInput {
  const events: RefEvent[] = s.events.map((e, pos) => ({
    tsUs: e.tsUs,
    device: e.device,
    user: e.user,
    server: e.server,
    connected: e.connected,
    pos,
  }));
  const servers = new Map<bigint, bigint | undefined>();
  for (const sv of s.servers) servers.set(sv.id, sv.destroyedUs);
  return { events, servers, asOfDay: s.asOfOffset === undefined ? undefined : BASE_DAY + s.asOfOffset };
}
