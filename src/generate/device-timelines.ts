import { dayOfMs, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, nextHalfPast } from './calendar.js';
import { type DevicePlan, DeviceType, FIRST_DEVICE_ID } from './population.js';
import { Rng, STREAM } from './rng.js';
import type { Server, ServerPlan } from './servers.js';

/** Where a device's clean (uncorrupted) events go. */
export interface EventSink {
  online(dev: DeviceTimeline, t: number, server: Server, user: number, reconnect: boolean): void;
  /** `next` is the device's next event time (or Infinity), so a duplicate never overtakes it. */
  offline(dev: DeviceTimeline, t: number, server: Server, user: number, crash: boolean, next: number): void;
}

/** Where the true online intervals go: [open, close], the user of the opening. */
export interface IntervalSink {
  open(device: number, user: number, t: number): void;
  close(device: number, t: number): void;
}

enum Phase {
  Offline = 0,
  Online = 1,
  Done = 2,
}

enum End {
  /** The session ends as planned: an offline event on the server. */
  Planned = 0,
  /** The server crashes: an offline event, then a reconnect after seconds. */
  Crash = 1,
  /** The server is destroyed: no event (nobody is left to record it); reconnect elsewhere. */
  Cut = 2,
  Retire = 3,
  /** Handed to another user: disconnect, re-provision, reconnect under the new owner. */
  Transfer = 4,
}

export interface TimelineContext {
  servers: ServerPlan;
  events: EventSink;
  truth: IntervalSink;
  seed: number;
  scale: number;
}

/**
 * One device's life as a state machine over time: sessions on servers, ended
 * as planned, by a crash, by the server's destruction, a transfer or the
 * device's retirement. It draws only from its own random stream and only in
 * time order, so its events up to any day never depend on --until.
 *
 * Before the era switch the legacy platform's clock applies: every event is
 * at hh:30:00 and no two events of a device share an hour.
 */
export class DeviceTimeline {
  /** Dense index: device id - FIRST_DEVICE_ID. */
  readonly index: number;
  phase = Phase.Offline;
  /** Time of the next transition (session start or end). */
  nextT: number;
  /** The server of the previous session (stale server ids in the corruption model). */
  prevServer: Server | undefined;

  private readonly rng: Rng;
  private end = End.Planned;
  private server: Server | undefined;
  private user = 0;
  private planned = 0;
  private carry = Number.NaN;
  private prefer: Server | undefined;
  private reconnect = false;
  // Behaviour parameters.
  private readonly upMeanMs: number;
  private readonly gapMeanMs: number;
  private readonly onMs: number;
  private readonly durMs: number;
  private readonly timer: boolean;
  private readonly weekdaysOnly: boolean;
  private readonly skipP: number;
  private epStart = 0;
  private epEnd = 0;

  constructor(
    readonly plan: DevicePlan,
    private readonly ctx: TimelineContext,
  ) {
    this.index = plan.id - FIRST_DEVICE_ID;
    this.rng = new Rng(ctx.seed, STREAM.device, plan.id);
    const r = this.rng;
    this.upMeanMs = r.lognormal(4.0, 0.6) * MS_PER_DAY;
    this.gapMeanMs = r.lognormal(1.3, 0.8) * MS_PER_DAY;
    // Daily devices: switched on around a UTC hour that depends on the owner's time zone.
    const zone = r.weighted([0.55, 0.3, 0.15]);
    const localStart = r.between(6, 9.5);
    const offset = zone === 0 ? -1 : zone === 1 ? 5 : -8;
    this.timer = r.chance(0.12);
    const on = (((localStart + offset) % 24) + 24) % 24;
    this.onMs = (this.timer ? Math.round(on) : on) * MS_PER_HOUR;
    const dur = Math.min(20, Math.max(2, 9.5 + 2.5 * r.normal()));
    this.durMs = (this.timer ? Math.round(dur) : dur) * MS_PER_HOUR;
    this.weekdaysOnly = r.chance(0.6);
    this.skipP = r.between(0.01, 0.12);
    this.nextT = this.fix(plan.arrival, Number.NEGATIVE_INFINITY);
  }

  get done(): boolean {
    return this.phase === Phase.Done;
  }

  /** Runs every transition before dayEnd. */
  advance(dayEnd: number): void {
    while (this.phase !== Phase.Done && this.nextT < dayEnd) {
      if (this.phase === Phase.Offline) this.startSession(this.nextT);
      else this.endSession();
    }
  }

  private get switchTime(): number {
    return this.ctx.servers.switchTime;
  }

  /** An event time at or after x and strictly after `after`, on the clock of its era. */
  private fix(x: number, after: number): number {
    if (x < this.switchTime) {
      const t = nextHalfPast(x);
      return t > after ? t : nextHalfPast(after + 1);
    }
    const t = Math.ceil(x);
    return t > after ? t : after + 1;
  }

  private startSession(t: number): void {
    const p = this.plan;
    if (t >= p.retire) {
      this.phase = Phase.Done;
      return;
    }
    const user = t >= p.transferAt ? p.newOwner : p.owner;
    const pref = this.prefer;
    this.prefer = undefined;
    const server =
      pref && pref.created <= t && t < pref.destroyed ? pref : this.ctx.servers.pick(t, this.rng);
    const planned = Number.isNaN(this.carry) ? t + this.sessionLength(t) : this.carry;
    this.carry = Number.NaN;
    this.ctx.events.online(this, t, server, user, this.reconnect);
    this.ctx.truth.open(this.index, user, t);
    this.reconnect = false;
    this.server = server;
    this.user = user;
    this.planned = planned;

    let end = this.fix(planned, t);
    let kind = End.Planned;
    const crash = this.ctx.servers.nextCrash(server, t);
    if (crash < end) {
      // Each device notices the crash within a second or so.
      const tc = this.fix(crash + this.rng.between(0, 1500), t);
      if (tc < end) {
        end = tc;
        kind = End.Crash;
      }
    }
    if (p.retire < end) {
      const tr = this.fix(p.retire, t);
      if (tr < end) {
        end = tr;
        kind = End.Retire;
      }
    }
    if (p.transferAt > t && p.transferAt < end) {
      const tt = this.fix(p.transferAt, t);
      if (tt < end) {
        end = tt;
        kind = End.Transfer;
      }
    }
    if (server.destroyed < end) {
      end = server.destroyed;
      kind = End.Cut;
    }
    this.phase = Phase.Online;
    this.nextT = end;
    this.end = kind;
  }

  private endSession(): void {
    const t = this.nextT;
    const server = this.server as Server;
    const r = this.rng;
    this.prevServer = server;
    this.phase = Phase.Offline;
    switch (this.end) {
      case End.Planned: {
        this.nextT = this.fix(this.nextStart(t), t);
        this.ctx.events.offline(this, t, server, this.user, false, this.nextT);
        break;
      }
      case End.Retire: {
        this.ctx.events.offline(this, t, server, this.user, false, Number.POSITIVE_INFINITY);
        this.phase = Phase.Done;
        break;
      }
      case End.Transfer: {
        this.nextT = this.fix(t + r.exp(2 * MS_PER_HOUR), t);
        this.ctx.events.offline(this, t, server, this.user, false, this.nextT);
        break;
      }
      case End.Crash: {
        this.nextT = this.resume(
          t,
          t + r.lognormal(20 * MS_PER_SECOND, 0.8),
          r.chance(0.7) ? server : undefined,
        );
        this.ctx.events.offline(this, t, server, this.user, true, this.nextT);
        break;
      }
      case End.Cut: {
        // The device notices within seconds and the load balancer sends it elsewhere.
        this.nextT = this.resume(t, t + r.lognormal(4 * MS_PER_SECOND, 0.9), undefined);
        break;
      }
    }
    this.ctx.truth.close(this.index, t);
  }

  /** After an involuntary disconnect at t: reconnect at `at` if the planned session is not over yet. */
  private resume(t: number, at: number, prefer: Server | undefined): number {
    const back = this.fix(at, t);
    const plannedEnd = this.fix(this.planned, t);
    if (back < plannedEnd && back < this.plan.retire) {
      this.carry = this.planned;
      this.prefer = prefer;
      this.reconnect = true;
      return back;
    }
    return this.fix(this.nextStart(Math.max(t, this.planned)), t);
  }

  private legacy(t: number): boolean {
    return t < this.switchTime;
  }

  private inEpisode(t: number): boolean {
    if (this.legacy(t)) return false;
    while (this.epEnd <= t) {
      this.epStart = Math.max(this.epEnd, this.switchTime) + this.rng.exp(25 * MS_PER_DAY);
      this.epEnd = this.epStart + this.rng.exp(4 * MS_PER_DAY);
    }
    return t >= this.epStart;
  }

  private sessionLength(t: number): number {
    const r = this.rng;
    const legacy = this.legacy(t);
    switch (this.plan.type) {
      case DeviceType.AlwaysOn:
        // The legacy platform's hourly log missed most short blips.
        return r.exp(this.upMeanMs * (legacy ? 22 : 1));
      case DeviceType.Daily:
        return this.timer
          ? this.durMs
          : Math.max(20 * MS_PER_MINUTE, this.durMs + 45 * MS_PER_MINUTE * r.normal());
      case DeviceType.Intermittent:
        return Math.min(3 * MS_PER_DAY, r.lognormal(45 * MS_PER_MINUTE, 1.1));
      case DeviceType.Flapping: {
        if (this.inEpisode(t)) return r.exp(150 * MS_PER_SECOND);
        const up = r.exp(this.upMeanMs * (legacy ? 22 : 1));
        return legacy ? up : Math.min(up, Math.max(this.epStart - t, MS_PER_SECOND));
      }
      case DeviceType.Storm:
        return r.exp((9 * MS_PER_SECOND) / this.ctx.scale);
    }
  }

  /** When the device connects again after a session that ended at t. */
  private nextStart(t: number): number {
    const r = this.rng;
    const legacy = this.legacy(t);
    switch (this.plan.type) {
      case DeviceType.AlwaysOn:
        return t + this.blip();
      case DeviceType.Daily:
        return this.nextDailyStart(t);
      case DeviceType.Intermittent:
        return t + r.exp(this.gapMeanMs * (legacy ? 22 : 1));
      case DeviceType.Flapping:
        return t + (this.inEpisode(t) ? r.exp(25 * MS_PER_SECOND) : this.blip());
      case DeviceType.Storm:
        return t + r.exp((6 * MS_PER_SECOND) / this.ctx.scale);
    }
  }

  /** Offline time of an always-on device: mostly a network blip, sometimes maintenance. */
  private blip(): number {
    const r = this.rng;
    const x = r.float();
    if (x < 0.85) return r.lognormal(60 * MS_PER_SECOND, 1.2);
    if (x < 0.97) return r.lognormal(30 * MS_PER_MINUTE, 1);
    return r.exp(2 * MS_PER_DAY);
  }

  private nextDailyStart(t: number): number {
    const r = this.rng;
    for (let day = dayOfMs(t); ; day++) {
      const start = day * MS_PER_DAY + this.onMs + (this.timer ? 0 : 20 * MS_PER_MINUTE * r.normal());
      if (start <= t + 30 * MS_PER_MINUTE) continue;
      const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
      if (this.weekdaysOnly && (weekday === 0 || weekday === 6) && r.chance(0.9)) continue;
      if (r.chance(this.skipP)) continue;
      return start;
    }
  }
}
