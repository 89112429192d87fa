/**
 * A plain reference implementation of /work/shared/SPEC.md (sections 2 to 6),
 * written from the SPEC text alone. It is deliberately slow and literal:
 * plain loops over plain arrays, one step of the SPEC per block, so that a
 * reader can check it against the SPEC line by line. The property tests
 * compare the real engines with it.
 *
 * Choices the SPEC leaves open follow docs/metric.md:
 * - an event at exactly as_of_end is left out (the window is [.., as_of_end));
 * - two intervals of a device that start at the same time: the one opened by
 *   the later event (in (timestamp, file position) order) is the "latest-starting";
 * - rules 5 and 6 compare the online event's server with the previous (offline)
 *   event's server; rules 7 and 8 compare the two offline events' servers;
 * - device-days after as_of are outside the observation window: they are not
 *   counted anywhere (charts or quality counters).
 */

export const DAY_US = 86_400_000_000n;

/** One parsed line of connectivity_events.csv. */
export interface RefEvent {
  /** Epoch microseconds, UTC. */
  tsUs: bigint;
  device: bigint;
  user: bigint;
  server: bigint;
  connected: boolean;
  /** Position in the file (any increasing number: line number or index). */
  pos: number;
}

export interface RefInput {
  events: RefEvent[];
  /** servers.csv: id -> destroyed_at (epoch µs), or undefined when empty. */
  servers: Map<bigint, bigint | undefined>;
  /** --as-of as a day number (days since 1970-01-01); undefined: the latest event's day. */
  asOfDay?: number;
}

/** One row of daily_online.csv / rolling28_online.csv. */
export interface CountRow {
  date: string;
  fleet_1_2: number;
  fleet_3_9: number;
  fleet_10_99: number;
  fleet_100_999: number;
  fleet_1000_plus: number;
  total: number;
}

export interface RefCounter {
  firings: number;
  device_days: number;
}

export const RULE_COUNTERS = [
  'rule_1',
  'rule_2',
  'rule_3',
  'rule_4',
  'rule_5',
  'rule_6',
  'rule_7',
  'rule_8',
  'end',
  'leading_offline',
  'first_online',
] as const;
export type RuleCounterName = (typeof RULE_COUNTERS)[number];

export interface RefInterval {
  device: bigint;
  user: bigint;
  startUs: bigint;
  endUs: bigint;
  rule: 'rule_1' | 'rule_2' | 'rule_3' | 'rule_4' | 'end';
  clamped: boolean;
  /** Index of the opening event in the device's ordered events (tie-break for equal starts). */
  openerIndex: number;
}

export interface RefResult {
  asOfDay: number;
  asOfEndUs: bigint;
  firstDay: number;
  firstEventUs: bigint;
  lastEventUs: bigint;
  rowsUsed: number;
  rowsAfterAsOf: number;
  devices: number;
  usersWithOnlineEvents: number;
  intervals: RefInterval[];
  clampedIntervals: number;
  unknownServerEvents: number;
  unknownServers: number;
  rules: Record<RuleCounterName, RefCounter>;
  deviceDays: number;
  deviceDaysRepairedOnly: number;
  /** Owner of each online device-day: key `${device}|${day}`. */
  owners: Map<string, bigint>;
  daily: CountRow[];
  rolling28: CountRow[];
}

/** Day number (days since 1970-01-01, UTC) of epoch microseconds: floor division. */
export function dayOf(us: bigint): number {
  let q = us / DAY_US;
  if (us < 0n && q * DAY_US !== us) q -= 1n;
  return Number(q);
}

/** 'YYYY-MM-DD' of a day number. */
export function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD HH:MM:SS.ffffff' of epoch microseconds (quality.json's format). */
export function isoMicros(us: bigint): string {
  const day = dayOf(us);
  const inDay = us - BigInt(day) * DAY_US;
  const secs = inDay / 1_000_000n;
  const micros = inDay % 1_000_000n;
  const hh = secs / 3600n;
  const mm = (secs % 3600n) / 60n;
  const ss = secs % 60n;
  const two = (n: bigint) => n.toString().padStart(2, '0');
  return `${isoDay(day)} ${two(hh)}:${two(mm)}:${two(ss)}.${micros.toString().padStart(6, '0')}`;
}

/** The bucket of a fleet size (SPEC section 4). */
export function bucketOf(fleetSize: number): keyof Omit<CountRow, 'date' | 'total'> {
  if (fleetSize <= 2) return 'fleet_1_2';
  if (fleetSize <= 9) return 'fleet_3_9';
  if (fleetSize <= 99) return 'fleet_10_99';
  if (fleetSize <= 999) return 'fleet_100_999';
  return 'fleet_1000_plus';
}

function emptyRow(day: number): CountRow {
  return {
    date: isoDay(day),
    fleet_1_2: 0,
    fleet_3_9: 0,
    fleet_10_99: 0,
    fleet_100_999: 0,
    fleet_1000_plus: 0,
    total: 0,
  };
}

/**
 * Runs the SPEC on parsed inputs. Returns undefined when no event is left to
 * measure (every event is after as_of_end, or there is none).
 */
export function referenceAnalyze(input: RefInput): RefResult | undefined {
  if (input.events.length === 0) return undefined;

  // --- SPEC 2: as_of_end. Default: the end of the UTC day of the latest event in the file.
  let latest = input.events[0]?.tsUs as bigint;
  for (const e of input.events) if (e.tsUs > latest) latest = e.tsUs;
  const asOfDay = input.asOfDay ?? dayOf(latest);
  const asOfEndUs = (BigInt(asOfDay) + 1n) * DAY_US;

  // Events after as_of_end are left out, as if not yet recorded (at as_of_end too: [.., as_of_end)).
  const kept: RefEvent[] = [];
  let rowsAfterAsOf = 0;
  for (const e of input.events) {
    if (e.tsUs < asOfEndUs) kept.push(e);
    else rowsAfterAsOf += 1;
  }
  if (kept.length === 0) return undefined;

  let firstEventUs = kept[0]?.tsUs as bigint;
  let lastEventUs = kept[0]?.tsUs as bigint;
  for (const e of kept) {
    if (e.tsUs < firstEventUs) firstEventUs = e.tsUs;
    if (e.tsUs > lastEventUs) lastEventUs = e.tsUs;
  }
  const firstDay = dayOf(firstEventUs);

  // --- SPEC 1: a server absent from servers.csv is valid; its destruction time is unknown.
  let unknownServerEvents = 0;
  const unknownServerIds = new Set<bigint>();
  for (const e of kept) {
    if (!input.servers.has(e.server)) {
      unknownServerEvents += 1;
      unknownServerIds.add(e.server);
    }
  }
  const destroyed = (server: bigint): bigint | undefined => input.servers.get(server);

  // --- SPEC 2: each device's events in (timestamp, position in file) order.
  const byDevice = new Map<bigint, RefEvent[]>();
  for (const e of kept) {
    const list = byDevice.get(e.device) ?? [];
    list.push(e);
    byDevice.set(e.device, list);
  }

  const firings: Record<RuleCounterName, number> = {
    rule_1: 0,
    rule_2: 0,
    rule_3: 0,
    rule_4: 0,
    rule_5: 0,
    rule_6: 0,
    rule_7: 0,
    rule_8: 0,
    end: 0,
    leading_offline: 0,
    first_online: 0,
  };
  const intervals: RefInterval[] = [];
  let clampedIntervals = 0;
  const usersWithOnline = new Set<bigint>();

  for (const [device, unsorted] of byDevice) {
    const events = [...unsorted].sort((a, b) => {
      if (a.tsUs < b.tsUs) return -1;
      if (a.tsUs > b.tsUs) return 1;
      return a.pos - b.pos;
    });

    // The state: offline, or online(X, since), remembering who opened it.
    let online = false;
    let onServer = 0n;
    let since = 0n;
    let openUser = 0n;
    let openerIndex = -1;

    const emit = (end: bigint, rule: RefInterval['rule']) => {
      // An interval's end is never before its start: else it is the single instant [s, s].
      let clamped = false;
      let e = end;
      if (e < since) {
        e = since;
        clamped = true;
        clampedIntervals += 1;
      }
      intervals.push({ device, user: openUser, startUs: since, endUs: e, rule, clamped, openerIndex });
      firings[rule] += 1;
    };

    for (let i = 0; i < events.length; i++) {
      const e = events[i] as RefEvent;
      const prev = i > 0 ? (events[i - 1] as RefEvent) : undefined;
      const t = e.tsUs;
      const Y = e.server;
      if (e.connected) usersWithOnline.add(e.user);

      if (!online) {
        if (e.connected) {
          // offline -> online on Y: no interval; counted as rule 5/6 (after an
          // offline event) or as the device's first event.
          if (prev === undefined) firings.first_online += 1;
          else if (prev.server === Y) firings.rule_5 += 1;
          else firings.rule_6 += 1;
          online = true;
          onServer = Y;
          since = t;
          openUser = e.user;
          openerIndex = i;
        } else {
          // offline -> offline: ignored (rules 7, 8), or a leading offline event.
          if (prev === undefined) firings.leading_offline += 1;
          else if (prev.server === Y) firings.rule_7 += 1;
          else firings.rule_8 += 1;
        }
        continue;
      }

      // online(X, since)
      const X = onServer;
      const dX = destroyed(X);
      if (e.connected) {
        if (Y === X) {
          emit(t, 'rule_1');
        } else {
          // [s, min(destroyed(X), t)]; unknown destroyed(X): t.
          let end = t;
          if (dX !== undefined && dX < t) end = dX;
          emit(end, 'rule_2');
        }
        online = true;
        onServer = Y;
        since = t;
        openUser = e.user;
        openerIndex = i;
      } else {
        if (Y === X) {
          emit(t, 'rule_3');
        } else {
          // [s, destroyed(X)] (even past t); unknown destroyed(X): t.
          emit(dX === undefined ? t : dX, 'rule_4');
        }
        online = false;
      }
    }

    if (online) {
      // The end case: [s, min(destroyed(X), as_of_end)]; unknown destroyed(X): as_of_end.
      const dX = destroyed(onServer);
      let end = asOfEndUs;
      if (dX !== undefined && dX < end) end = dX;
      emit(end, 'end');
    }
  }

  // --- SPEC 3: the days each interval touches; SPEC 4: the owner of each device-day.
  const daysOf = (iv: RefInterval): number[] => {
    const first = dayOf(iv.startUs);
    let last: number;
    if (iv.endUs > iv.startUs) {
      last = dayOf(iv.endUs);
      // Half-open [s, e): an end exactly at midnight does not count that day.
      if (iv.endUs === BigInt(last) * DAY_US) last -= 1;
    } else {
      last = first; // a single instant counts its day
    }
    const out: number[] = [];
    // Days after as_of are outside the observation window.
    for (let d = first; d <= last && d <= asOfDay; d++) out.push(d);
    return out;
  };

  interface Touch {
    startUs: bigint;
    openerIndex: number;
    user: bigint;
    rule: string;
  }
  const owner = new Map<string, Touch>();
  const dayKeysByRule: Record<string, Set<string>> = {
    rule_1: new Set(),
    rule_2: new Set(),
    rule_3: new Set(),
    rule_4: new Set(),
    end: new Set(),
  };
  for (const iv of intervals) {
    for (const d of daysOf(iv)) {
      const key = `${iv.device}|${d}`;
      (dayKeysByRule[iv.rule] as Set<string>).add(key);
      const cur = owner.get(key);
      const later =
        cur === undefined ||
        iv.startUs > cur.startUs ||
        (iv.startUs === cur.startUs && iv.openerIndex > cur.openerIndex);
      if (later)
        owner.set(key, { startUs: iv.startUs, openerIndex: iv.openerIndex, user: iv.user, rule: iv.rule });
    }
  }
  const owners = new Map<string, bigint>();
  for (const [key, touch] of owner) owners.set(key, touch.user);

  // A rule's device-days: the device-days whose owning interval (the
  // latest-starting one touching the day) that rule emitted; they add up to
  // all device-days.
  const ownedByRule = new Map<string, number>();
  for (const touch of owner.values()) ownedByRule.set(touch.rule, (ownedByRule.get(touch.rule) ?? 0) + 1);
  const rules = {} as Record<RuleCounterName, RefCounter>;
  for (const name of RULE_COUNTERS) {
    rules[name] = { firings: firings[name], device_days: ownedByRule.get(name) ?? 0 };
  }
  let repairedOnly = 0;
  for (const key of owners.keys()) if (!(dayKeysByRule.rule_3 as Set<string>).has(key)) repairedOnly += 1;

  // Online days per device, for the charts.
  const deviceList = [...byDevice.keys()];
  const ownerOn = (device: bigint, day: number): bigint | undefined => owners.get(`${device}|${day}`);

  // One counted device per owner entry: a user's fleet size is how many
  // entries name the user; each device counts in its owner's bucket.
  const bucketRow = (D: number, owners: bigint[]): CountRow => {
    const fleet = new Map<bigint, number>();
    for (const user of owners) fleet.set(user, (fleet.get(user) ?? 0) + 1);
    const row = emptyRow(D);
    for (const user of owners) {
      row[bucketOf(fleet.get(user) as number)] += 1;
      row.total += 1;
    }
    return row;
  };

  // --- SPEC 4: the daily chart, from the first event's day to as_of, zeros included.
  const daily: CountRow[] = [];
  for (let D = firstDay; D <= asOfDay; D++) {
    const owners: bigint[] = [];
    for (const device of deviceList) {
      const user = ownerOn(device, D);
      if (user !== undefined) owners.push(user);
    }
    daily.push(bucketRow(D, owners));
  }

  // --- SPEC 5: rolling 28 days D-27 .. D; a device belongs to the owner of its latest online day there.
  const rolling28: CountRow[] = [];
  for (let D = firstDay; D <= asOfDay; D++) {
    const owners: bigint[] = [];
    for (const device of deviceList) {
      let user: bigint | undefined;
      for (let d = D; d >= D - 27; d--) {
        user = ownerOn(device, d);
        if (user !== undefined) break;
      }
      if (user !== undefined) owners.push(user);
    }
    rolling28.push(bucketRow(D, owners));
  }

  return {
    asOfDay,
    asOfEndUs,
    firstDay,
    firstEventUs,
    lastEventUs,
    rowsUsed: kept.length,
    rowsAfterAsOf,
    devices: byDevice.size,
    usersWithOnlineEvents: usersWithOnline.size,
    intervals,
    clampedIntervals,
    unknownServerEvents,
    unknownServers: unknownServerIds.size,
    rules,
    deviceDays: owners.size,
    deviceDaysRepairedOnly: repairedOnly,
    owners,
    daily,
    rolling28,
  };
}
