import { closeSync, openSync, writeSync } from 'node:fs';
import { dayToIso } from '../util/time.js';
import { dayOfMs, FIRST_DAY, MS_PER_DAY } from './calendar.js';
import { FIRST_DEVICE_ID } from './population.js';

/** Sort keys pack (ms of day, arrival order) into one exact double: 86.4e6 * 2^26 < 2^53. */
const ORDER_BITS = 2 ** 26;

const p2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** 'YYYY-MM-DD HH:MM:SS[.fff]' of epoch milliseconds, as the production export writes it. */
export function formatTimestamp(ms: number): string {
  const day = dayOfMs(ms);
  const inDay = ms - day * MS_PER_DAY;
  const sec = Math.floor(inDay / 1000);
  // PostgreSQL's text form: trailing zeros of the fraction are dropped, and the dot with them.
  const frac =
    inDay % 1000 === 0
      ? ''
      : `.${String(inDay % 1000)
          .padStart(3, '0')
          .replace(/0+$/, '')}`;
  return `${dayToIso(day)} ${p2(Math.floor(sec / 3600))}:${p2(Math.floor(sec / 60) % 60)}:${p2(sec % 60)}${frac}`;
}

/**
 * Buffered, synchronous file output written byte by byte: the events are
 * ASCII, and building millions of small strings would keep the garbage
 * collector busy for most of the run.
 */
export class FileSink {
  private readonly fd: number;
  readonly buf = Buffer.allocUnsafe(1 << 22);
  pos = 0;
  bytes = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  /** Makes room for n more bytes. */
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.flush();
  }

  write(text: string): void {
    this.flush();
    this.bytes += writeSync(this.fd, text);
  }

  private flush(): void {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.bytes += this.pos;
    this.pos = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

const ZERO = 48;
const COMMA = 44;
const TRUE = Buffer.from(',true\n');
const FALSE = Buffer.from(',false\n');

/** Writes a non-negative integer's digits at pos; returns the position after them. */
function putInt(buf: Buffer, pos: number, n: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  let p = pos + digits;
  let x = n;
  do {
    buf[--p] = ZERO + (x % 10);
    x = Math.floor(x / 10);
  } while (x > 0);
  return pos + digits;
}

function put2(buf: Buffer, pos: number, n: number): void {
  buf[pos] = ZERO + Math.floor(n / 10);
  buf[pos + 1] = ZERO + (n % 10);
}

/**
 * One day of events: collected in generation order from every device, then
 * sorted by (timestamp, generation order) and written. A device's own events
 * are generated in time order, so equal timestamps keep that order.
 */
export class DayBuffer {
  private keys = new Float64Array(1 << 16);
  private device = new Int32Array(1 << 16);
  private user = new Int32Array(1 << 16);
  private server = new Int32Array(1 << 16);
  private online = new Uint8Array(1 << 16);
  private n = 0;
  private day = 0;
  private dayStart = 0;
  /** First and last event time written so far (ms), NaN before any. */
  first = Number.NaN;
  last = Number.NaN;
  count = 0;
  /** Events before the era switch. */
  sparseCount = 0;
  // Tallies of what was written, for the run summary.
  private readonly perDevice: Int32Array;
  private readonly userSeen: Uint8Array;
  private readonly serverUsed: Uint8Array;
  private readonly perDay: number[] = [];

  constructor(
    devices: number,
    users: number,
    maxServerId: number,
    private readonly switchTime: number,
  ) {
    this.perDevice = new Int32Array(devices);
    this.userSeen = new Uint8Array(users + 1);
    this.serverUsed = new Uint8Array(maxServerId + 1);
  }

  get dayEnd(): number {
    return this.dayStart + MS_PER_DAY;
  }

  begin(day: number): void {
    this.day = day;
    this.dayStart = day * MS_PER_DAY;
    this.n = 0;
  }

  push(t: number, device: number, user: number, server: number, online: boolean): void {
    const inDay = t - this.dayStart;
    if (!(inDay >= 0 && inDay < MS_PER_DAY) || !Number.isInteger(t))
      throw new Error(`generator: event at ${t} outside day ${dayToIso(this.day)}`);
    if (this.n === this.keys.length) this.grow();
    if (this.n >= ORDER_BITS) throw new Error('generator: too many events in one day');
    const i = this.n++;
    this.keys[i] = inDay * ORDER_BITS + i;
    const d = device - FIRST_DEVICE_ID;
    this.perDevice[d] = (this.perDevice[d] as number) + 1;
    this.userSeen[user] = 1;
    this.serverUsed[server] = 1;
    if (t < this.switchTime) this.sparseCount++;
    this.device[i] = device;
    this.user[i] = user;
    this.server[i] = server;
    this.online[i] = online ? 1 : 0;
  }

  private grow(): void {
    const size = this.keys.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.keys = g(this.keys, (n) => new Float64Array(n));
    this.device = g(this.device, (n) => new Int32Array(n));
    this.user = g(this.user, (n) => new Int32Array(n));
    this.server = g(this.server, (n) => new Int32Array(n));
    this.online = g(this.online, (n) => new Uint8Array(n));
  }

  /** Sorts the day and writes it; returns the number of events. */
  flush(out: FileSink): number {
    const n = this.n;
    this.perDay[this.day - FIRST_DAY] = n;
    if (n === 0) return 0;
    const keys = this.keys.subarray(0, n).sort();
    const date = Buffer.from(`${dayToIso(this.day)} `, 'latin1');
    for (let k = 0; k < n; k++) {
      const key = keys[k] as number;
      const i = key % ORDER_BITS;
      const inDay = (key - i) / ORDER_BITS;
      // 'YYYY-MM-DD HH:MM:SS[.fff],device,user,server,true|false\n' is at most 80 bytes.
      out.reserve(80);
      const b = out.buf;
      let p = out.pos;
      for (let j = 0; j < 11; j++) b[p + j] = date[j] as number;
      p += 11;
      const sec = Math.floor(inDay / 1000);
      put2(b, p, Math.floor(sec / 3600));
      b[p + 2] = 58;
      put2(b, p + 3, Math.floor(sec / 60) % 60);
      b[p + 5] = 58;
      put2(b, p + 6, sec % 60);
      p += 8;
      const ms = inDay % 1000;
      if (ms !== 0) {
        // PostgreSQL's text form: trailing zeros of the fraction are dropped.
        b[p++] = 46;
        b[p++] = ZERO + Math.floor(ms / 100);
        if (ms % 100 !== 0) {
          b[p++] = ZERO + (Math.floor(ms / 10) % 10);
          if (ms % 10 !== 0) b[p++] = ZERO + (ms % 10);
        }
      }
      b[p++] = COMMA;
      p = putInt(b, p, this.device[i] as number);
      b[p++] = COMMA;
      p = putInt(b, p, this.user[i] as number);
      b[p++] = COMMA;
      p = putInt(b, p, this.server[i] as number);
      const tail = this.online[i] ? TRUE : FALSE;
      for (let j = 0; j < tail.length; j++) b[p + j] = tail[j] as number;
      out.pos = p + tail.length;
    }
    const firstKey = keys[0] as number;
    const lastKey = keys[n - 1] as number;
    if (Number.isNaN(this.first)) this.first = this.dayStart + Math.floor(firstKey / ORDER_BITS);
    this.last = this.dayStart + Math.floor(lastKey / ORDER_BITS);
    this.count += n;
    this.n = 0;
    return n;
  }

  devicesSeen(): number {
    let n = 0;
    for (const c of this.perDevice) if (c > 0) n++;
    return n;
  }

  usersSeen(): number {
    let n = 0;
    for (const c of this.userSeen) n += c;
    return n;
  }

  serverSeen(id: number): boolean {
    return this.serverUsed[id] === 1;
  }

  busiestDevice(): { index: number; events: number } {
    let index = 0;
    for (let i = 1; i < this.perDevice.length; i++)
      if ((this.perDevice[i] as number) > (this.perDevice[index] as number)) index = i;
    return { index, events: this.perDevice[index] ?? 0 };
  }

  /** Events on the days before `day`. */
  countBeforeDay(day: number): number {
    let n = 0;
    for (let d = FIRST_DAY; d < day && d - FIRST_DAY < this.perDay.length; d++)
      n += this.perDay[d - FIRST_DAY] ?? 0;
    return n;
  }

  /** Events on `day` and after. */
  countFromDay(day: number): number {
    let n = 0;
    for (let d = Math.max(day, FIRST_DAY); d - FIRST_DAY < this.perDay.length; d++)
      n += this.perDay[d - FIRST_DAY] ?? 0;
    return n;
  }
}
