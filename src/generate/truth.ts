import { dayToIso } from '../util/time.js';
import { MS_PER_DAY } from './calendar.js';
import type { IntervalSink } from './device-timelines.js';

const ROLLING_DAYS = 28;
/** SPEC section 6's header, spelled out here: the truth shares no code with analyze. */
export const TRUTH_HEADER = 'date,fleet_1_2,fleet_3_9,fleet_10_99,fleet_100_999,fleet_1000_plus,total';

/**
 * The ground truth, from the true online intervals and nothing else (never
 * the event stream, the repair rules, the engine or the SQL models it is
 * there to check). Intervals arrive as open/close calls while the world is
 * simulated a day at a time; at the end of each day the accumulator knows
 * every interval that touches it (closed that day or still open), and applies
 * SPEC 3 (days an interval touches, half-open at midnight), SPEC 4 (owner of
 * a device-day: the user of the latest-starting interval touching it; fleet
 * size; buckets) and SPEC 5 (28-day window, owner of the latest online day).
 */
export class TruthAccumulator implements IntervalSink {
  private readonly openStart: Float64Array;
  private readonly openUser: Int32Array;
  /** Devices with an open interval, and each one's position in that list. */
  private readonly openList: Int32Array;
  private readonly openPos: Int32Array;
  private openCount = 0;
  /** Owner candidate of the current day: start and user of the latest-starting touching interval. */
  private readonly candDay: Int32Array;
  private readonly candStart: Float64Array;
  private readonly candUser: Int32Array;
  private touched: number[] = [];
  /** Latest online day and its owner, per device (SPEC 5). */
  private readonly lastDay: Int32Array;
  private readonly lastOwner: Int32Array;
  private recent: number[] = [];
  private readonly inRecent: Uint8Array;
  private readonly perUser: Int32Array;
  private readonly usersSeen: number[] = [];
  private day: number;
  private dayStart: number;
  readonly daily: string[] = [];
  readonly rolling: string[] = [];
  /** The last finished day's buckets (1-2, 3-9, 10-99, 100-999, 1000+). */
  lastDaily: number[] = [0, 0, 0, 0, 0];

  constructor(devices: number, users: number, firstDay: number) {
    this.openStart = new Float64Array(devices).fill(Number.NaN);
    this.openUser = new Int32Array(devices);
    this.openList = new Int32Array(devices);
    this.openPos = new Int32Array(devices).fill(-1);
    this.candDay = new Int32Array(devices).fill(-1);
    this.candStart = new Float64Array(devices);
    this.candUser = new Int32Array(devices);
    this.lastDay = new Int32Array(devices).fill(-1_000_000);
    this.lastOwner = new Int32Array(devices);
    this.inRecent = new Uint8Array(devices);
    this.perUser = new Int32Array(users + 1);
    this.day = firstDay;
    this.dayStart = firstDay * MS_PER_DAY;
  }

  open(device: number, user: number, t: number): void {
    if (this.openPos[device] !== -1) throw new Error(`truth: device index ${device} opened twice`);
    this.openStart[device] = t;
    this.openUser[device] = user;
    this.openPos[device] = this.openCount;
    this.openList[this.openCount++] = device;
  }

  close(device: number, t: number): void {
    const pos = this.openPos[device] as number;
    if (pos === -1) throw new Error(`truth: device index ${device} closed while offline`);
    const s = this.openStart[device] as number;
    if (t < s) throw new Error(`truth: interval of device index ${device} ends before it starts`);
    const last = this.openList[--this.openCount] as number;
    this.openList[pos] = last;
    this.openPos[last] = pos;
    this.openPos[device] = -1;
    // [s, t) touches today unless it ended exactly at today's midnight; a single instant touches day(s).
    const touches = t > s ? t > this.dayStart : Math.floor(s / MS_PER_DAY) === this.day;
    if (touches) this.consider(device, s, this.openUser[device] as number);
  }

  private consider(device: number, start: number, user: number): void {
    if (this.candDay[device] !== this.day) {
      this.candDay[device] = this.day;
      this.candStart[device] = start;
      this.candUser[device] = user;
      this.touched.push(device);
    } else if (start >= (this.candStart[device] as number)) {
      this.candStart[device] = start;
      this.candUser[device] = user;
    }
  }

  /** Closes the current day: every interval still open touches it. Writes both rows. */
  endDay(): void {
    for (let i = 0; i < this.openCount; i++) {
      const d = this.openList[i] as number;
      this.consider(d, this.openStart[d] as number, this.openUser[d] as number);
    }
    const owners = this.touched;
    for (const d of owners) {
      const u = this.candUser[d] as number;
      this.lastDay[d] = this.day;
      this.lastOwner[d] = u;
    }
    this.lastDaily = this.buckets(owners, this.candUser);
    this.daily.push(this.row(this.lastDaily));

    const from = this.day - ROLLING_DAYS + 1;
    const recent: number[] = [];
    for (const d of this.recent) {
      if ((this.lastDay[d] as number) >= from) recent.push(d);
      else this.inRecent[d] = 0;
    }
    for (const d of owners) {
      if (!this.inRecent[d]) {
        this.inRecent[d] = 1;
        recent.push(d);
      }
    }
    this.recent = recent;
    this.rolling.push(this.row(this.buckets(recent, this.lastOwner)));

    this.touched = [];
    this.day++;
    this.dayStart += MS_PER_DAY;
  }

  /** Devices per bucket of their owner's fleet size (fleet = devices owned among `devices`). */
  private buckets(devices: number[], ownerOf: Int32Array): number[] {
    const seen = this.usersSeen;
    for (const d of devices) {
      const u = ownerOf[d] as number;
      if (this.perUser[u] === 0) seen.push(u);
      this.perUser[u] = (this.perUser[u] as number) + 1;
    }
    const b = [0, 0, 0, 0, 0];
    for (const u of seen) {
      const n = this.perUser[u] as number;
      const k = n <= 2 ? 0 : n <= 9 ? 1 : n <= 99 ? 2 : n <= 999 ? 3 : 4;
      b[k] = (b[k] as number) + n;
      this.perUser[u] = 0;
    }
    seen.length = 0;
    return b;
  }

  private row(b: number[]): string {
    let total = 0;
    for (const x of b) total += x;
    return `${dayToIso(this.day)},${b.join(',')},${total}`;
  }

  /** A whole table in SPEC 6's format. */
  static csv(rows: string[]): string {
    return `${TRUTH_HEADER}\n${rows.join('\n')}\n`;
  }
}
