import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's chromium; CI installs it (.ci/run). No browser is ever downloaded. */
export const CHROMIUM = process.env.FLEETPULSE_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** Screenshots and other artefacts of the browser tests (gitignored). */
export const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

/** Says plainly, once per test file, why the browser tests are skipped. */
export function warnIfNoChromium(): void {
  if (!HAVE_CHROMIUM) {
    console.warn(
      `browser tests SKIPPED: no chromium at ${CHROMIUM} (apt-get install chromium, or set FLEETPULSE_CHROMIUM)`,
    );
  }
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Everything a page did that a test may want to assert on. */
export interface PageLog {
  requests: string[];
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
}

/** A fresh page that records every request, console error and uncaught exception. */
export async function recordedPage(browser: Browser, opts: { acceptDownloads?: boolean } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: opts.acceptDownloads ?? false,
  });
  const page: Page = await context.newPage();
  const log: PageLog = { requests: [], consoleErrors: [], pageErrors: [], failedRequests: [] };
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('requestfailed', (r) => log.failedRequests.push(`${r.url()}: ${r.failure()?.errorText ?? ''}`));
  page.on('console', (m) => {
    if (m.type() === 'error') log.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => log.pageErrors.push(String(e)));
  return { context, page, log };
}

/** Requests that left the allowed origin (data: and blob: URLs never touch the network). */
export function foreignRequests(log: PageLog, allowed: (url: string) => boolean): string[] {
  return log.requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && !allowed(u));
}

// ---------------------------------------------------------------------------
// Run-folder fixtures shared by the report and browser tests.
// ---------------------------------------------------------------------------

export const KEYS = ['fleet_1_2', 'fleet_3_9', 'fleet_10_99', 'fleet_100_999', 'fleet_1000_plus'] as const;
export type Row = { date: string; total: number } & Record<(typeof KEYS)[number], number>;

export const SYNTH_START = '2017-01-01';

export function isoDay(start: string, plus: number): string {
  return new Date(Date.parse(`${start}T00:00:00Z`) + plus * 86_400_000).toISOString().slice(0, 10);
}

function row(date: string, counts: number[]): Row {
  const r = { date, total: counts.reduce((a, b) => a + b, 0) } as Row;
  KEYS.forEach((k, j) => {
    r[k] = counts[j] as number;
  });
  return r;
}

/** Deterministic daily counts: every bucket moves differently, so growth differs per bucket. */
export function synthDaily(days: number): Row[] {
  return Array.from({ length: days }, (_, i) =>
    row(isoDay(SYNTH_START, i), [
      1000 + i,
      400 + (i % 7) * 10,
      200 + Math.floor(i / 10),
      50,
      i >= 200 ? 1200 : 0,
    ]),
  );
}

/** Rolling counts: each bucket 10 above the daily one (so the 28-day count is never below the daily one). */
export function synthRolling(daily: Row[]): Row[] {
  return daily.map((r) =>
    row(
      r.date,
      KEYS.map((k) => r[k] + 10),
    ),
  );
}

/** The generator's "truth": the repaired counts with known errors (repaired - true). */
export function synthTruth(daily: Row[], rolling: Row[]): { daily: Row[]; rolling28: Row[] } {
  return {
    // 1-2: repaired over-counts by 2 on even days; 3-9: under-counts by 5 on day 10.
    daily: daily.map((r, i) =>
      row(
        r.date,
        KEYS.map(
          (k) => r[k] - (k === 'fleet_1_2' && i % 2 === 0 ? 2 : 0) + (k === 'fleet_3_9' && i === 10 ? 5 : 0),
        ),
      ),
    ),
    // 10-99: repaired under-counts by 3 every day.
    rolling28: rolling.map((r) =>
      row(
        r.date,
        KEYS.map((k) => r[k] + (k === 'fleet_10_99' ? 3 : 0)),
      ),
    ),
  };
}

export function countsCsv(rows: Row[]): string {
  return `date,${KEYS.join(',')},total\n${rows.map((r) => [r.date, ...KEYS.map((k) => r[k]), r.total].join(',')).join('\n')}\n`;
}

/** A quality.json consistent with the counts (device-days = sum of daily totals, intervals = closings). */
export function synthQuality(daily: Row[]): Record<string, unknown> {
  const deviceDays = daily.reduce((n, r) => n + r.total, 0);
  const rule = (meaning: string, firings: number, device_days: number) => ({ meaning, firings, device_days });
  const rules = {
    rule_1: rule('online X -> online X', 1_200, 3_000),
    rule_2: rule('online X -> online Y', 800, 2_000),
    rule_3: rule('online X -> offline X', 500_000, deviceDays - 40_000),
    rule_4: rule('online X -> offline Y', 9_000, 41_000),
    rule_5: rule('offline X -> online X', 480_000, 0),
    rule_6: rule('offline X -> online Y', 20_000, 0),
    rule_7: rule('offline X -> offline X', 3_000, 0),
    rule_8: rule('offline X -> offline Y', 400, 0),
    end: rule("online at the end of the device's events", 2_500, 2_600),
    leading_offline: rule('first event of a device is offline', 100, 0),
    first_online: rule('first event of a device is online', 2_900, 0),
  };
  return {
    tool: { name: 'fleetpulse', version: '0.1.0', engine: 'duckdb' },
    as_of: daily.at(-1)?.date,
    as_of_end: `${isoDay(daily.at(-1)?.date ?? SYNTH_START, 1)} 00:00:00.000000`,
    as_of_source: 'latest event',
    first_event: `${daily[0]?.date} 00:00:05.000000`,
    last_event: `${daily.at(-1)?.date} 23:59:00.000000`,
    days: daily.length,
    inputs: {
      events: {
        file: '/data/connectivity_events.csv',
        gzip: false,
        header: false,
        rows_read: 1_016_002,
        rows_used: 1_016_000,
        rows_rejected: 2,
        rows_after_as_of: 0,
        blank_lines: 0,
      },
      servers: {
        file: '/data/servers.csv',
        gzip: false,
        header: false,
        rows_read: 12,
        rows_used: 12,
        rows_rejected: 0,
      },
      rejects_file: 'rejects.csv',
    },
    devices: 3_000,
    users_with_online_events: 400,
    rules,
    unknown_server_events: 7,
    unknown_servers: 1,
    intervals: 1_200 + 800 + 500_000 + 9_000 + 2_500,
    clamped_intervals: 3,
    device_days: deviceDays,
    device_days_repaired_only: 38_000,
  };
}

export const SYNTH_REJECTS = `file,line_number,field,reason,value,line
/data/connectivity_events.csv,17,timestamp,bad timestamp,2017-02-30 10:00:00,"2017-02-30 10:00:00,1,2,3,true"
/data/connectivity_events.csv,99,connected,"wrong number of fields: expected 5, found 4","x,""y, z"",1","x,""y, z"",1"
`;

export const SYNTH_SERVERS = `server_id,known_server,online_events,rule_1,rule_2,rule_3,rule_4,end_case,offline_after_offline,leading_offline
1,true,300000,700,500,290000,5000,1000,2000,50
2,true,200000,500,300,199000,4000,1400,1400,50
99,false,10000,0,0,11000,0,100,0,0
`;

/**
 * A synthetic run folder with every file `analyze` writes (device_days.parquet
 * consistent with the daily totals), and with truth/ when asked.
 */
export async function writeSyntheticRun(dir: string, opts: { days?: number; truth?: boolean } = {}) {
  const { mkdirSync: mkdir, writeFileSync: write } = await import('node:fs');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const daily = synthDaily(opts.days ?? 400);
  const rolling = synthRolling(daily);
  mkdir(dir, { recursive: true });
  write(join(dir, 'daily_online.csv'), countsCsv(daily));
  write(join(dir, 'rolling28_online.csv'), countsCsv(rolling));
  write(join(dir, 'quality.json'), `${JSON.stringify(synthQuality(daily), null, 2)}\n`);
  write(join(dir, 'rejects.csv'), SYNTH_REJECTS);
  write(join(dir, 'repairs_by_server.csv'), SYNTH_SERVERS);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const csv = join(dir, 'daily_online.csv').replaceAll("'", "''");
  const out = join(dir, 'device_days.parquet').replaceAll("'", "''");
  await conn.run(
    `COPY (SELECT device_id, device_id % 50 AS user_id, day FROM (
       SELECT CAST(date AS DATE) AS day, unnest(range(total)) AS device_id FROM read_csv('${csv}', header = true)
     ) ORDER BY day, device_id) TO '${out}' (FORMAT parquet)`,
  );
  conn.closeSync();
  db.closeSync();
  let truth: ReturnType<typeof synthTruth> | undefined;
  if (opts.truth) {
    truth = synthTruth(daily, rolling);
    mkdir(join(dir, 'truth'), { recursive: true });
    write(join(dir, 'truth', 'daily_online.csv'), countsCsv(truth.daily));
    write(join(dir, 'truth', 'rolling28_online.csv'), countsCsv(truth.rolling28));
  }
  return { daily, rolling, truth };
}
