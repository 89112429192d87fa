import { FIRST_DAY, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, SNAPSHOT_MS } from './calendar.js';
import type { DeviceTimeline, EventSink } from './device-timelines.js';
import { Rng, STREAM } from './rng.js';
import type { Server, ServerPlan } from './servers.js';
import type { DayBuffer } from './writer.js';

/** How the export loses and garbles events (probabilities per event). */
export const CORRUPTION = {
  /** A crashed server cannot record its devices' disconnects. */
  crashOfflineLost: 0.9,
  /** Database outages: online events written during one are mostly lost. */
  outageOnlineLost: 0.85,
  /** Reconnect storms after a crash or a replacement overload the database. */
  reconnectOnlineLost: 0.05,
  /** Background loss of online events. */
  onlineLost: 0.004,
  /** A disconnect logged twice (device's last will and the server's timeout). */
  offlineDuplicated: 0.07,
  /** An event names a server of another environment, absent from servers.csv. */
  unknownServer: 6e-5,
  /** An online event carries the device's previous, already destroyed, server. */
  staleServer: 1.5e-4,
} as const;

export interface CorruptionCounts {
  crash_offline_lost: number;
  outage_online_lost: number;
  reconnect_online_lost: number;
  other_online_lost: number;
  offline_duplicated: number;
  unknown_server: number;
  stale_server: number;
}

/** Database outage windows of the whole horizon (independent of --until). */
export class Outages {
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;

  constructor(seed: number, switchTime: number) {
    const r = new Rng(seed, STREAM.outages, 0);
    const starts: number[] = [];
    const ends: number[] = [];
    let t = FIRST_DAY * MS_PER_DAY;
    for (;;) {
      const legacy = t < switchTime;
      t += r.exp((legacy ? 20 : 2.5) * MS_PER_DAY);
      if (t >= SNAPSHOT_MS) break;
      const len = legacy
        ? r.lognormal(2 * MS_PER_HOUR, 0.8)
        : Math.min(12 * MS_PER_HOUR, r.lognormal(35 * MS_PER_MINUTE, 1.1));
      starts.push(Math.round(t));
      ends.push(Math.round(t + len));
      t += len;
    }
    this.starts = Float64Array.from(starts);
    this.ends = Float64Array.from(ends);
  }

  contains(t: number): boolean {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.starts[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && t < (this.ends[lo - 1] as number);
  }
}

/**
 * Turns the clean event stream into the production-like one, per device from
 * the device's own random stream (so the world, and hence the truth, is the
 * same with or without corruption). With corruption off, events pass through.
 * The first day is left intact, so the export starts on FIRST_DAY either way.
 */
export class Corruptor implements EventSink {
  readonly counts: CorruptionCounts = {
    crash_offline_lost: 0,
    outage_online_lost: 0,
    reconnect_online_lost: 0,
    other_online_lost: 0,
    offline_duplicated: 0,
    unknown_server: 0,
    stale_server: 0,
  };
  private readonly rngs: (Rng | undefined)[];
  private readonly exemptUntil = (FIRST_DAY + 1) * MS_PER_DAY;

  constructor(
    private readonly seed: number,
    private readonly servers: ServerPlan,
    private readonly outages: Outages,
    private readonly buffer: DayBuffer,
    private readonly enabled: boolean,
    devices: number,
  ) {
    this.rngs = new Array<Rng | undefined>(devices);
  }

  private rng(dev: DeviceTimeline): Rng {
    let r = this.rngs[dev.index];
    if (!r) {
      r = new Rng(this.seed, STREAM.corruption, dev.plan.id);
      this.rngs[dev.index] = r;
    }
    return r;
  }

  online(dev: DeviceTimeline, t: number, server: Server, user: number, reconnect: boolean): void {
    if (!this.enabled || t < this.exemptUntil) {
      this.buffer.push(t, dev.plan.id, user, server.id, true);
      return;
    }
    const r = this.rng(dev);
    const x = r.float();
    if (this.outages.contains(t)) {
      if (x < CORRUPTION.outageOnlineLost) {
        this.counts.outage_online_lost++;
        return;
      }
    } else if (reconnect) {
      if (x < CORRUPTION.reconnectOnlineLost) {
        this.counts.reconnect_online_lost++;
        return;
      }
    } else if (x < CORRUPTION.onlineLost) {
      this.counts.other_online_lost++;
      return;
    }
    let id = server.id;
    const y = r.float();
    if (y < CORRUPTION.unknownServer) id = this.unknownId(r, t) ?? id;
    else if (y < CORRUPTION.unknownServer + CORRUPTION.staleServer) {
      const prev = dev.prevServer;
      if (prev && prev !== server && prev.destroyed < t) {
        id = prev.id;
        this.counts.stale_server++;
      }
    }
    this.buffer.push(t, dev.plan.id, user, id, true);
  }

  offline(dev: DeviceTimeline, t: number, server: Server, user: number, crash: boolean, next: number): void {
    if (!this.enabled || t < this.exemptUntil) {
      this.buffer.push(t, dev.plan.id, user, server.id, false);
      return;
    }
    const r = this.rng(dev);
    if (r.float() < (crash ? CORRUPTION.crashOfflineLost : 0)) {
      this.counts.crash_offline_lost++;
      return;
    }
    const id = r.float() < CORRUPTION.unknownServer ? (this.unknownId(r, t) ?? server.id) : server.id;
    this.buffer.push(t, dev.plan.id, user, id, false);
    if (r.float() < CORRUPTION.offlineDuplicated) {
      // Logged again a moment later, never after the device's next event
      // (the legacy log kept only hh:30:00, so there it is the same instant).
      const later = Math.min(Math.floor(r.between(1, 1500)), Math.floor((next - t) / 2));
      const delay = t < this.servers.switchTime ? 0 : later;
      const again = t + Math.max(0, delay);
      if (again < this.buffer.dayEnd) {
        this.buffer.push(again, dev.plan.id, user, server.id, false);
        this.counts.offline_duplicated++;
      }
    }
  }

  /** An id skipped in the server numbering, of a server that existed by t. */
  private unknownId(r: Rng, t: number): number | undefined {
    const m = this.servers.missingIds;
    let n = 0;
    while (n < m.length && (m[n] as { from: number }).from <= t) n++;
    if (n === 0) return undefined;
    this.counts.unknown_server++;
    return (m[r.below(n)] as { id: number }).id;
  }
}
