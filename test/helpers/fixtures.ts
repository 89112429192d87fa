/** Writing test inputs: temp folders, CSV files in every form SPEC section 1 allows. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const EVENTS_HEADER = 'timestamp,device_id,user_id,server_id,connected';
export const SERVERS_HEADER = 'id,created_at,destroyed_at';

const made: string[] = [];

/** A fresh temp folder; removeTempDirs() deletes every one made so far. */
export function tempDir(prefix = 'fleetpulse-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  if (process.env.FLEETPULSE_KEEP_TEST_FILES) return;
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface CsvForm {
  /** Write this header row first (true: the file kind's standard header). */
  header?: boolean | string;
  /** gzip the bytes (whatever the file's name). */
  gzip?: boolean;
  /** \r\n line endings. */
  crlf?: boolean;
  /** End the last line with a line ending (default true). */
  finalNewline?: boolean;
}

/** The bytes of a CSV file of `lines` in the given form. */
export function csvBytes(lines: string[], form: CsvForm = {}, standardHeader = ''): Buffer {
  const nl = form.crlf ? '\r\n' : '\n';
  const all = [...lines];
  if (form.header) all.unshift(typeof form.header === 'string' ? form.header : standardHeader);
  let text = all.join(nl);
  if (form.finalNewline !== false && all.length > 0) text += nl;
  const raw = Buffer.from(text, 'utf8');
  return form.gzip ? gzipSync(raw) : raw;
}

export function writeEvents(path: string, lines: string[], form: CsvForm = {}): string {
  writeFileSync(path, csvBytes(lines, form, EVENTS_HEADER));
  return path;
}

export function writeServers(path: string, lines: string[], form: CsvForm = {}): string {
  writeFileSync(path, csvBytes(lines, form, SERVERS_HEADER));
  return path;
}

// ---- Time, independent of the code under test ----

export const DAY_US = 86_400_000_000n;

/** Epoch µs of 'YYYY-MM-DD HH:MM:SS[.f{1,6}]' (UTC); throws on anything else. */
export function us(text: string): bigint {
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) throw new Error(`test bug: bad timestamp literal ${text}`);
  const [, y, mo, d, h, mi, s, f = ''] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return BigInt(ms) * 1000n + BigInt(f.padEnd(6, '0'));
}

/** Day number (days since 1970-01-01) of 'YYYY-MM-DD'. */
export function dayNumber(date: string): number {
  const ms = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return ms / 86_400_000;
}

/** 'YYYY-MM-DD' of a day number. */
export function dateOf(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** Every date from `from` to `to` inclusive. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = dayNumber(from); d <= dayNumber(to); d++) out.push(dateOf(d));
  return out;
}

export interface TsForm {
  sep?: ' ' | 'T';
  zone?: '' | 'Z' | '+00' | '+00:00';
  /**
   * Digits of the fraction: 'min' (none when whole seconds, else as few as
   * exactly represent the value), or a number >= the minimum (padded with zeros).
   */
  frac?: 'min' | number;
}

/** The fewest fraction digits that write `us` exactly (0 for whole seconds). */
export function minFracDigits(t: bigint): number {
  let frac = ((t % 1_000_000n) + 1_000_000n) % 1_000_000n;
  if (frac === 0n) return 0;
  let digits = 6;
  while (frac % 10n === 0n) {
    frac /= 10n;
    digits -= 1;
  }
  return digits;
}

/** Writes epoch µs as SPEC section 1 allows. */
export function formatTs(t: bigint, form: TsForm = {}): string {
  const dayUs = ((t % DAY_US) + DAY_US) % DAY_US;
  const day = Number((t - dayUs) / DAY_US);
  const secs = dayUs / 1_000_000n;
  const frac = dayUs % 1_000_000n;
  const two = (n: bigint) => n.toString().padStart(2, '0');
  const clock = `${two(secs / 3600n)}:${two((secs % 3600n) / 60n)}:${two(secs % 60n)}`;
  const min = minFracDigits(t);
  const digits = form.frac === undefined || form.frac === 'min' ? min : form.frac;
  if (digits < min) throw new Error(`test bug: ${t} needs ${min} fraction digits, not ${digits}`);
  const fraction = digits === 0 ? '' : `.${frac.toString().padStart(6, '0').slice(0, digits)}`;
  return `${dateOf(day)}${form.sep ?? ' '}${clock}${fraction}${form.zone ?? ''}`;
}
