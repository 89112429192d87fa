/**
 * `fleetpulse forecast` through the real CLI (bin/fleetpulse, compiled dist/)
 * and through the programmatic forecast(): the output files, their headers
 * and row counts, the exit codes, the edge cases (short, flat, zero, gappy
 * histories), the real-future score, and the report section built from the
 * outputs.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vl from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForecastReport, forecast } from '../src/forecast/forecast.js';
import { loglinearModel, naiveModel } from '../src/forecast/models/index.js';
import type { ScoreReport } from '../src/forecast/score.js';
import { forecastSection } from '../src/report/sections/forecast.js';
import { dayOf, iso, simulateFleet, writeCounts, writeRunFolder } from './forecast-helpers.js';
import { assertBuilt, cli, lines } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/fixtures.js';

afterAll(removeTempDirs);

const LAST = '2018-02-28';
const DAYS = 400;
const START = dayOf(LAST) - DAYS + 1;
/** A growing fleet observed for 450 days up to 2018-02-28, plus 60 more days of "future". */
const fleet = simulateFleet({
  startDay: START,
  days: DAYS + 60,
  arrivals: (i) => 6 + i / 60,
  meanLife: 180,
  pWeekday: 0.8,
  pWeekend: 0.5,
  seed: 5,
  initial: 300,
});
let base = '';

beforeAll(async () => {
  assertBuilt();
  const cut = dayOf(LAST);
  base = await writeRunFolder({
    startDay: START,
    daily: fleet.daily.slice(0, DAYS),
    rolling28: fleet.rolling28.slice(0, DAYS),
    deviceDays: fleet.deviceDays.filter((r) => r[2] <= cut),
  });
  writeCounts(join(base, 'future_daily.csv'), START, fleet.daily);
  writeCounts(join(base, 'future_rolling28.csv'), START, fleet.rolling28);
});

function copyRun(): string {
  const dir = tempDir('fleetpulse-fc-run-');
  cpSync(base, dir, { recursive: true });
  return dir;
}

const readCsv = (f: string) => lines(readFileSync(f, 'utf8')).map((l) => l.split(','));
const readJson = <T>(f: string) => JSON.parse(readFileSync(f, 'utf8')) as T;

describe('fleetpulse forecast (CLI)', () => {
  let dir = '';
  let report: ForecastReport;

  beforeAll(async () => {
    dir = copyRun();
    const r = await cli(['forecast', '--in', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(dir);
    expect(r.stderr).toMatch(/backtest 5 models/);
    report = readJson<ForecastReport>(join(dir, 'forecast.json'));
  });

  it('writes forecast.csv for every day after the history up to 2019-02-28', () => {
    const rows = readCsv(join(dir, 'forecast.csv'));
    expect(rows[0]?.join(',')).toBe('date,yhat,lo80,hi80,lo95,hi95');
    expect(rows).toHaveLength(1 + 365);
    expect(rows[1]?.[0]).toBe('2018-03-01');
    expect(rows[365]?.[0]).toBe('2019-02-28');
    for (const r of rows.slice(1)) {
      const [y, lo80, hi80, lo95, hi95] = r.slice(1).map(Number) as [number, number, number, number, number];
      expect(lo95 <= lo80 && lo80 <= y && y <= hi80 && hi80 <= hi95 && lo95 >= 0).toBe(true);
    }
  });

  it('writes every model to forecast_models.csv', () => {
    const rows = readCsv(join(dir, 'forecast_models.csv'));
    expect(rows[0]?.join(',')).toBe('model,date,yhat,lo80,hi80,lo95,hi95');
    const models = new Set(rows.slice(1).map((r) => r[0]));
    for (const m of ['naive', 'loglinear', 'mstl', 'prophet', 'cohort']) expect(models.has(m)).toBe(true);
    expect(rows).toHaveLength(1 + models.size * 365);
  });

  it('writes one backtest row per model, origin and horizon; 365 days is too long for this history, said plainly', () => {
    const rows = readCsv(join(dir, 'backtest.csv'));
    expect(rows[0]?.join(',')).toBe('model,origin,horizon_days,mape,mase,coverage80,coverage95');
    expect(report.backtest.horizons).toEqual([30, 90, 180]);
    expect(report.backtest.skipped.map((s) => s.horizon)).toEqual([365]);
    expect(report.notes).toContain(
      'No 365-day backtest: needs at least 425 days of history (60 to train, 365 to compare), has 400.',
    );
    const perModel = Object.values(report.backtest.origins).reduce((a, o) => a + o.length, 0);
    const models = new Set(rows.slice(1).map((r) => r[0]));
    expect(rows).toHaveLength(1 + perModel * models.size);
    for (const r of rows.slice(1)) {
      expect(report.backtest.origins[r[2] as string]).toContain(r[1]);
      expect(Number(r[3])).toBeGreaterThanOrEqual(0);
    }
  });

  it('chooses a projection that beats the drift baseline in the backtests, and says why', () => {
    expect(report.chosen.model).not.toBe('naive');
    expect(report.chosen.scoreMeasure).toBe('relmae');
    const naive = report.models.find((m) => m.name === 'naive')?.backtestScore as number;
    const weights = Object.entries(report.chosen.weights);
    expect(weights.reduce((a, [, w]) => a + w, 0)).toBeCloseTo(1, 6);
    for (const [m] of weights) {
      expect(report.models.find((x) => x.name === m)?.backtestScore as number).toBeLessThan(naive);
    }
    expect(report.chosen.reason).toMatch(/ranked by their backtest error relative to the drift baseline/);
    expect(report.chosen.calibration?.buckets).toHaveLength(4);
    const cohort = report.models.find((m) => m.name === 'cohort');
    expect(cohort?.status).toBe('ok');
    expect(cohort?.params?.activeDevicesAtCutoff).toBeGreaterThan(0);
    expect(readdirSync(dir).filter((f) => f.startsWith('.staging'))).toEqual([]);
  });

  it('builds the report section from the outputs, with the run’s own numbers and valid Vega-Lite charts', async () => {
    const s = await forecastSection(dir);
    expect(s?.order).toBe(300);
    expect(s?.id).toBe('forecast');
    const html = s?.html ?? '';
    const fmt = (x: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(x);
    expect(html).toContain(fmt(report.projection.yhat));
    expect(html).toContain(fmt(report.projection.lo80));
    for (const h of ['Approach', 'Why this projection', 'Assumptions', 'What would make it wrong'])
      expect(html).toContain(h);
    expect(html).not.toMatch(/<script|https?:\/\//);
    for (const c of s?.charts ?? []) {
      expect(html).toContain(`data-chart="${c.name}"`);
      const compiled = vl.compile(c.spec as unknown as vl.TopLevelSpec);
      expect(compiled.spec).toBeTruthy();
      expect(JSON.stringify(c.spec)).not.toMatch(/"url"/);
    }
    expect(s?.charts.map((c) => c.name)).toEqual([
      'forecast_projection',
      'forecast_models',
      'forecast_backtest',
    ]);
  });

  it('contributes no report section to a folder without forecast.json', async () => {
    expect(await forecastSection(base)).toBeUndefined();
  });
});

describe('fleetpulse forecast: options and exit codes', () => {
  it('rejects a bad --until, an --until inside the history and an unknown --series with exit 2', async () => {
    const dir = copyRun();
    for (const args of [
      ['--until', '2019-02-30'],
      ['--until', 'tomorrow'],
      ['--until', LAST],
      ['--series', 'weekly'],
    ]) {
      const r = await cli(['forecast', '--in', dir, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/--until|--series|argument/);
    }
    expect(existsSync(join(dir, 'forecast.csv'))).toBe(false);
  });

  it('exits 3 naming daily_online.csv when it is missing', async () => {
    const dir = copyRun();
    rmSync(join(dir, 'daily_online.csv'));
    const r = await cli(['forecast', '--in', dir, '--quiet']);
    expect(r.code).toBe(3);
    expect(lines(r.stderr)).toEqual([`${join(dir, 'daily_online.csv')}: no such file`]);
  });

  it('projects the 28-day count and scores it against a real future (--score-against)', async () => {
    const dir = copyRun();
    const until = iso(dayOf(LAST) + 45);
    const r = await cli([
      'forecast',
      '--in',
      dir,
      '--series',
      'rolling28',
      '--until',
      until,
      '--score-against',
      join(dir, 'future_rolling28.csv'),
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(readCsv(join(dir, 'forecast.csv'))).toHaveLength(1 + 45);
    const rep = readJson<ForecastReport>(join(dir, 'forecast.json'));
    expect(rep.series.kind).toBe('rolling28');
    expect(rep.until).toBe(until);
    const score = readJson<ScoreReport>(join(dir, 'forecast_score.json'));
    expect(score.days).toBe(45);
    expect(score.firstDate).toBe('2018-03-01');
    const reported = score.rows.find((x) => x.model === 'reported' && x.horizonDays === 45);
    expect(reported?.endActual).toBe(fleet.rolling28[DAYS + 44]);
    expect(score.rows.filter((x) => x.model === 'reported').map((x) => x.horizonDays)).toEqual([30, 45]);
    // a later run without --score-against leaves no stale score behind
    await forecast({
      inDir: dir,
      series: 'rolling28',
      until,
      quiet: true,
      models: [naiveModel, loglinearModel],
    });
    expect(existsSync(join(dir, 'forecast_score.json'))).toBe(false);
  });
});

describe('forecast(): edge cases', () => {
  function folder(totals: (number | null)[], startDay = dayOf(LAST) - totals.length + 1): string {
    const dir = tempDir('fleetpulse-fc-edge-');
    writeCounts(join(dir, 'daily_online.csv'), startDay, totals);
    writeCounts(join(dir, 'rolling28_online.csv'), startDay, totals);
    return dir;
  }

  it('under 60 days: no backtest, the drift baseline, and a plain note', async () => {
    const dir = folder(fleet.daily.slice(0, 40));
    const r = await forecast({ inDir: dir, until: '2018-04-30', quiet: true });
    expect(r.report.chosen.model).toBe('naive');
    expect(r.report.backtest.horizons).toEqual([]);
    expect(r.report.notes.join(' ')).toMatch(/With 40 days of history no backtest is possible/);
    expect(r.report.models.find((m) => m.name === 'prophet')?.status).toBe('skipped');
    expect(r.band.yhat).toHaveLength(61);
    const sec = await forecastSection(dir);
    expect(sec?.html).toContain('No backtest could be run on this history');
    expect(sec?.html).toContain('Notes on this run');
    expect(sec?.charts.map((c) => c.name)).toEqual(['forecast_projection', 'forecast_models']);
  });

  it('under 14 days: a clear input error', async () => {
    const dir = folder([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    await expect(forecast({ inDir: dir, quiet: true })).rejects.toThrow(
      /only 10 day\(s\) of history; a projection needs at least 14/,
    );
  });

  it('a zero series projects zero; Prophet says why it cannot', async () => {
    const dir = folder(new Array(150).fill(0));
    const r = await forecast({ inDir: dir, until: '2018-03-31', quiet: true });
    expect(r.band.hi95.every((v) => v === 0)).toBe(true);
    const prophet = r.report.models.find((m) => m.name === 'prophet');
    expect(prophet?.status).toBe('failed');
    expect(prophet?.reason).toMatch(/all zeros/);
    expect(r.report.backtest.failures.some((f) => f.model === 'prophet' && /all zeros/.test(f.reason))).toBe(
      true,
    );
    expect(r.report.models.find((m) => m.name === 'cohort')?.reason).toMatch(
      /device_days.parquet is missing/,
    );
  });

  it('a flat series stays flat', async () => {
    const dir = folder(new Array(200).fill(1200));
    const r = await forecast({ inDir: dir, until: '2018-05-31', quiet: true });
    for (const v of r.band.yhat) expect(Math.abs(v - 1200)).toBeLessThan(30);
    expect(r.report.chosen.scoreMeasure).toBe('mae');
  });

  it('fills missing days and outage zeros, and says so', async () => {
    const totals: (number | null)[] = fleet.daily.slice(0, 200);
    totals[50] = null;
    totals[51] = null;
    totals[120] = 0;
    const dir = folder(totals);
    const r = await forecast({ inDir: dir, until: '2018-03-31', quiet: true });
    expect(r.report.series.gaps.missingDays).toHaveLength(2);
    expect(r.report.series.gaps.zeroDays).toHaveLength(1);
    expect(r.report.notes.join(' ')).toMatch(/2 day\(s\) missing .* filled by interpolation/);
    expect(r.report.series.days).toBe(200);
  });

  it('refuses a run folder that does not exist', async () => {
    const gone = join(tempDir('fleetpulse-fc-edge-'), 'nope');
    await expect(forecast({ inDir: gone, quiet: true })).rejects.toThrow(/no such run folder/);
  });
});
