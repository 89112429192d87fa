import {
  DEFAULT_UNTIL_DAY,
  ERA_SWITCH_DAY,
  MS_PER_DAY,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  SERVERS_AT_DEFAULT_UNTIL,
  SNAPSHOT_MS,
} from './calendar.js';
import { Rng, STREAM } from './rng.js';

export type ServerKind = 'legacy' | 'pool' | 'canary' | 'dedicated';

export interface Server {
  id: number;
  kind: ServerKind;
  /** Epoch milliseconds. */
  created: number;
  /** When the server is destroyed; Infinity for one that outlives the simulated horizon. */
  destroyed: number;
  /** Crash-and-restart times, ascending: the server drops every device, then comes back. */
  crashes: number[];
}

/** Load-balanced servers in the dense era: each slot is a chain of servers replaced back to back. */
const POOL_SLOTS = 8;
/** Long-lived servers of the dense era (devices pick them at this weight against 1 for a pool slot). */
const DEDICATED = 2;
const DEDICATED_WEIGHT = 0.5;
/** Enough replacements per slot for the shortest lifetimes the count search tries. */
const DRAWS_PER_SLOT = 1200;
const SCALE_RANGE: [number, number] = [0.25, 4];

interface SlotDraws {
  firstLead: number;
  life: Float64Array;
  midnight: Uint8Array;
  overlap: Float64Array;
  canary: Uint8Array;
  canaryLead: Float64Array;
  canaryLife: Float64Array;
}

interface Span {
  created: number;
  destroyed: number;
  slot: number;
}

function drawSlot(seed: number, slot: number): SlotDraws {
  const r = new Rng(seed, STREAM.slot, slot);
  const d: SlotDraws = {
    // The first pool servers come up shortly before the legacy one goes.
    firstLead: r.between(2, 40) * MS_PER_MINUTE,
    life: new Float64Array(DRAWS_PER_SLOT),
    midnight: new Uint8Array(DRAWS_PER_SLOT),
    overlap: new Float64Array(DRAWS_PER_SLOT),
    canary: new Uint8Array(DRAWS_PER_SLOT),
    canaryLead: new Float64Array(DRAWS_PER_SLOT),
    canaryLife: new Float64Array(DRAWS_PER_SLOT),
  };
  for (let j = 0; j < DRAWS_PER_SLOT; j++) {
    // Days to a few weeks; a few die young (bad deploys).
    d.life[j] = r.chance(0.04)
      ? r.between(0.1, 0.6) * MS_PER_DAY
      : Math.max(0.3, r.lognormal(6.5, 0.7)) * MS_PER_DAY;
    // Nightly maintenance: some replacements happen exactly at midnight UTC.
    d.midnight[j] = r.chance(0.12) ? 1 : 0;
    // The replacement is created a few seconds before the old server goes.
    d.overlap[j] = r.between(0.2, 5) * 1000;
    // A canary: created before a replacement, destroyed after minutes, never serves devices.
    d.canary[j] = r.chance(0.05) ? 1 : 0;
    d.canaryLead[j] = r.between(1, 10) * MS_PER_HOUR;
    d.canaryLife[j] = r.between(2, 40) * MS_PER_MINUTE;
  }
  return d;
}

/** Pool chains for one lifetime scale: every span until the snapshot. */
function buildPool(
  draws: SlotDraws[],
  alpha: number,
  switchTime: number,
): { chains: Span[][]; canaries: Span[] } {
  const chains: Span[][] = [];
  const canaries: Span[] = [];
  draws.forEach((d, slot) => {
    const chain: Span[] = [];
    let created = Math.round(switchTime - d.firstLead);
    let j = 0;
    while (created < SNAPSHOT_MS) {
      if (j >= DRAWS_PER_SLOT) throw new Error('server plan: not enough draws per slot');
      let destroyed = created + alpha * (d.life[j] as number);
      if (d.midnight[j]) destroyed = Math.ceil(destroyed / MS_PER_DAY) * MS_PER_DAY;
      destroyed = Math.round(destroyed);
      chain.push({ created, destroyed, slot });
      if (d.canary[j]) {
        const c = Math.round(destroyed - (d.canaryLead[j] as number));
        if (c > created)
          canaries.push({ created: c, destroyed: Math.round(c + (d.canaryLife[j] as number)), slot });
      }
      created = Math.round(destroyed - (d.overlap[j] as number));
      j++;
    }
    chains.push(chain);
  });
  return { chains, canaries };
}

export class ServerPlan {
  /** Every server of the simulated horizon, by id. */
  readonly servers: Server[];
  readonly byId = new Map<number, Server>();
  readonly legacy: Server;
  /** The legacy server's destruction: the start of the dense era. */
  readonly switchTime: number;
  /** Ids skipped when numbering (servers of other environments): events naming them are unknown to servers.csv. */
  readonly missingIds: { id: number; from: number }[];
  private readonly chains: Server[][];
  private readonly chainCreated: Float64Array[];
  private readonly dedicated: Server[];

  constructor(
    servers: Server[],
    legacy: Server,
    chains: Server[][],
    dedicated: Server[],
    missingIds: { id: number; from: number }[],
  ) {
    this.servers = servers;
    for (const s of servers) this.byId.set(s.id, s);
    this.legacy = legacy;
    this.switchTime = legacy.destroyed;
    this.chains = chains;
    this.chainCreated = chains.map((c) => Float64Array.from(c, (s) => s.created));
    this.dedicated = [...dedicated].sort((a, b) => a.created - b.created);
    this.missingIds = missingIds;
  }

  /** The server a device connecting at t lands on (load balancer: a random slot, its newest live server). */
  pick(t: number, r: Rng): Server {
    if (t < this.switchTime) return this.legacy;
    let open = 0;
    while (open < this.dedicated.length && (this.dedicated[open] as Server).created <= t) open++;
    const x = r.float() * (POOL_SLOTS + open * DEDICATED_WEIGHT);
    if (x >= POOL_SLOTS) {
      const s = this.dedicated[Math.min(open - 1, Math.floor((x - POOL_SLOTS) / DEDICATED_WEIGHT))] as Server;
      if (s.destroyed > t) return s;
    }
    const slot = Math.min(POOL_SLOTS - 1, Math.floor(x % POOL_SLOTS));
    const created = this.chainCreated[slot] as Float64Array;
    let lo = 0;
    let hi = created.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((created[mid] as number) <= t) lo = mid;
      else hi = mid - 1;
    }
    const s = (this.chains[slot] as Server[])[lo] as Server;
    if (s.created > t || s.destroyed <= t)
      throw new Error(`server plan: no live server in slot ${slot} at ${t}`);
    return s;
  }

  /** The first crash of `s` strictly after t, or Infinity. */
  nextCrash(s: Server, t: number): number {
    const c = s.crashes;
    let lo = 0;
    let hi = c.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((c[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo < c.length ? (c[lo] as number) : Number.POSITIVE_INFINITY;
  }

  /** servers.csv's rows for an export ending at untilEndMs: the servers created by then. */
  known(untilEndMs: number): Server[] {
    return this.servers.filter((s) => s.created < untilEndMs);
  }
}

function crashTimes(r: Rng, from: number, to: number, meanDays: number): number[] {
  const out: number[] = [];
  const end = Math.min(to, SNAPSHOT_MS);
  let t = from + r.exp(meanDays * MS_PER_DAY);
  while (t < end) {
    out.push(Math.round(t));
    t += r.exp(meanDays * MS_PER_DAY);
  }
  return out;
}

/**
 * The server table of the whole horizon (independent of --until and --scale):
 * one legacy server for the sparse era, then pool slots whose servers live
 * days to weeks, two long-lived dedicated servers, and short-lived canaries
 * that never serve devices. Lifetimes are scaled so that exactly
 * SERVERS_AT_DEFAULT_UNTIL servers exist by the end of the default --until.
 */
export function planServers(seed: number): ServerPlan {
  const lr = new Rng(seed, STREAM.legacy, 0);
  const legacyCreated = Math.round((ERA_SWITCH_DAY - 798 + lr.between(0.3, 0.9)) * MS_PER_DAY);
  const switchTime = Math.round((ERA_SWITCH_DAY + lr.between(8, 14) / 24) * MS_PER_DAY);
  const dr = new Rng(seed, STREAM.dedicated, 0);
  const dedicatedFrom = (ERA_SWITCH_DAY + 60) * MS_PER_DAY;
  const dedicatedTo = (DEFAULT_UNTIL_DAY - 8) * MS_PER_DAY;
  const dedicatedSpans: Span[] = [];
  for (let k = 0; k < DEDICATED; k++) {
    dedicatedSpans.push({
      created: Math.round(dr.between(dedicatedFrom, dedicatedTo)),
      destroyed: Number.POSITIVE_INFINITY,
      slot: POOL_SLOTS + k,
    });
  }
  const draws = Array.from({ length: POOL_SLOTS }, (_, k) => drawSlot(seed, k));
  const boundary = (DEFAULT_UNTIL_DAY + 1) * MS_PER_DAY;
  const count = (alpha: number) => {
    const { chains, canaries } = buildPool(draws, alpha, switchTime);
    let n = 1 + dedicatedSpans.filter((s) => s.created < boundary).length;
    for (const c of chains) n += c.filter((s) => s.created < boundary).length;
    return n + canaries.filter((s) => s.created < boundary).length;
  };
  // Creation times grow with the lifetime scale, so the count falls as it grows:
  // bisect for the closest count not above the target. Midnight replacements
  // make the count jump by more than one now and then: extra canaries make up
  // the difference.
  let lo = Math.log(SCALE_RANGE[0]);
  let hi = Math.log(SCALE_RANGE[1]);
  let alpha = Math.exp(hi);
  let best = count(alpha);
  if (best > SERVERS_AT_DEFAULT_UNTIL)
    throw new Error('server plan: lifetimes too short for the server count');
  for (let i = 0; i < 100 && best !== SERVERS_AT_DEFAULT_UNTIL; i++) {
    const mid = (lo + hi) / 2;
    const n = count(Math.exp(mid));
    if (n > SERVERS_AT_DEFAULT_UNTIL) lo = mid;
    else {
      hi = mid;
      if (n >= best) {
        best = n;
        alpha = Math.exp(mid);
      }
    }
  }
  const { chains, canaries } = buildPool(draws, alpha, switchTime);
  for (let k = best; k < SERVERS_AT_DEFAULT_UNTIL; k++) {
    const c = Math.round(dr.between(switchTime + MS_PER_DAY, boundary - MS_PER_DAY));
    canaries.push({
      created: c,
      destroyed: Math.round(c + dr.between(2, 40) * MS_PER_MINUTE),
      slot: k % POOL_SLOTS,
    });
  }

  // Ids in creation order from 2; a few are skipped (servers of other environments).
  const spans = [...chains.flat(), ...canaries, ...dedicatedSpans].sort(
    (a, b) => a.created - b.created || a.slot - b.slot,
  );
  const ir = new Rng(seed, STREAM.serverIds, 0);
  const cr = new Rng(seed, STREAM.crashes, 0);
  const missingIds: { id: number; from: number }[] = [];
  const legacy: Server = {
    id: 1,
    kind: 'legacy',
    created: legacyCreated,
    destroyed: switchTime,
    crashes: crashTimes(cr, legacyCreated + MS_PER_DAY, switchTime - MS_PER_DAY, 200),
  };
  const servers: Server[] = [legacy];
  const poolChains: Server[][] = chains.map(() => []);
  const dedicated: Server[] = [];
  let nextId = 2;
  for (const sp of spans) {
    if (ir.chance(0.03)) {
      const skip = 1 + ir.below(2);
      for (let k = 0; k < skip; k++) missingIds.push({ id: nextId + k, from: sp.created });
      nextId += skip;
    }
    const kind: ServerKind = sp.slot >= POOL_SLOTS ? 'dedicated' : canaries.includes(sp) ? 'canary' : 'pool';
    const s: Server = {
      id: nextId++,
      kind,
      created: sp.created,
      destroyed: sp.destroyed,
      crashes:
        kind === 'canary'
          ? []
          : crashTimes(
              cr,
              sp.created + 30 * MS_PER_MINUTE,
              sp.destroyed - 30 * MS_PER_MINUTE,
              kind === 'pool' ? 30 : 60,
            ),
    };
    servers.push(s);
    if (kind === 'pool') (poolChains[sp.slot] as Server[]).push(s);
    if (kind === 'dedicated') dedicated.push(s);
  }
  return new ServerPlan(servers, legacy, poolChains, dedicated, missingIds);
}
