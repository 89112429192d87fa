/**
 * Forecast accuracy measures, the backtest plan, the selection score and the
 * interval calibration, on hand-computed cases.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BacktestResult,
  type BacktestRow,
  planBacktest,
  scorePath,
  summarize,
} from '../src/forecast/backtest.js';
import { applyCalibration, calibrate, missAt } from '../src/forecast/calibrate.js';
import { coverage, mape, mase, maseScale, meanOf } from '../src/forecast/metrics.js';
import { scoreRows, select } from '../src/forecast/select.js';
import { fillGaps, readDailyColumn } from '../src/forecast/series.js';
import type { Band, History } from '../src/forecast/types.js';
import { InputError } from '../src/util/errors.js';
import { removeTempDirs, tempDir } from './helpers/fixtures.js';

afterAll(removeTempDirs);

const flatBand = (yhat: number[], half: number): Band => ({
  yhat,
  lo80: yhat.map((y) => y - half),
  hi80: yhat.map((y) => y + half),
  lo95: yhat.map((y) => y - 2 * half),
  hi95: yhat.map((y) => y + 2 * half),
});

describe('MAPE, MASE, coverage (hand-computed)', () => {
  it('MAPE is the mean of |a - f| / |a| in percent, skipping zero actuals', () => {
    // |100-110|/100 = 0.1, |200-150|/200 = 0.25, actual 0 skipped -> mean 0.175
    expect(mape([100, 200, 0], [110, 150, 5])).toBeCloseTo(17.5, 10);
    expect(mape([0, 0], [1, 2])).toBeNull();
  });

  it('the MASE scale is the in-sample seasonal naive MAE (m = 7), or m = 1 for short histories', () => {
    const h = Array.from({ length: 21 }, (_, t) => t * 2); // y[t] - y[t-7] = 14 everywhere
    expect(maseScale(h)).toBe(14);
    expect(maseScale([1, 4, 2, 2])).toBeCloseTo((3 + 2 + 0) / 3, 10); // m = 1: |4-1|, |2-4|, |2-2|
    expect(maseScale([5])).toBeNull();
  });

  it('MASE divides the MAE by the scale; a flat history gives null unless exact', () => {
    expect(mase([10, 20], [12, 16], 2)).toBeCloseTo((2 + 4) / 2 / 2, 10);
    expect(mase([5, 5], [5, 5], 0)).toBe(0);
    expect(mase([5, 5], [6, 5], 0)).toBeNull();
  });

  it('coverage counts actuals inside [lo, hi], bounds included', () => {
    expect(coverage([1, 2, 3, 4], [1, 0, 4, 0], [1, 1, 5, 10])).toBe(0.5);
    expect(coverage([], [], [])).toBeNull();
    expect(meanOf([1, null, 3, undefined])).toBe(2);
  });

  it('scorePath scores a path against the days after the origin', () => {
    const h: History = { kind: 'daily', startDay: 0, values: [10, 10, 10, 10, 10, 10, 10, 10, 12, 14, 16] };
    const row = scorePath('m', h, 8, flatBand([12, 13, 20], 1.5), 3);
    expect(row.origin).toBe('1970-01-08');
    expect(row.mae).toBeCloseTo((0 + 1 + 4) / 3, 10);
    expect(row.mape).toBeCloseTo(((0 / 12 + 1 / 14 + 4 / 16) / 3) * 100, 10);
    expect(row.mase).toBeNull(); // the 8-day history is flat: scale 0, forecast not exact
    expect(row.coverage80).toBeCloseTo(2 / 3, 10); // 12 in [10.5,13.5], 14 in [11.5,14.5], 16 not in [18.5,21.5]
    expect(row.coverage95).toBeCloseTo(2 / 3, 10);
  });
});

describe('backtest plan', () => {
  it('puts origins every 30 days over the last year and 3 older ones for the 365-day horizon', () => {
    const p = planBacktest(1005);
    expect(p.byHorizon.get(30)).toHaveLength(12);
    expect(p.byHorizon.get(90)).toHaveLength(10);
    expect(p.byHorizon.get(180)).toHaveLength(7);
    expect(p.byHorizon.get(365)).toEqual([1005 - 450, 1005 - 420, 1005 - 390]);
    expect(p.origins).toHaveLength(15);
    expect(p.skipped).toEqual([]);
    for (const [h, ls] of p.byHorizon) for (const l of ls) expect(l + h).toBeLessThanOrEqual(1005);
  });

  it('drops the horizons a short history cannot hold, saying why', () => {
    const p = planBacktest(200);
    expect([...p.byHorizon.keys()]).toEqual([30, 90]);
    expect(p.byHorizon.get(90)).toEqual([80, 110]);
    expect(p.skipped.map((s) => s.horizon)).toEqual([180, 365]);
    expect(p.skipped[0]?.reason).toMatch(/needs at least 240 days/);
  });

  it('has no origin at all under 90 days', () => {
    const p = planBacktest(89);
    expect(p.origins).toEqual([]);
    expect(p.skipped).toHaveLength(4);
  });
});

function row(model: string, trainDays: number, horizon: number, mae: number): BacktestRow {
  return {
    model,
    origin: '',
    trainDays,
    horizon,
    mae,
    mape: null,
    mase: null,
    coverage80: null,
    coverage95: null,
  };
}

describe('selection score', () => {
  it('is the geometric mean of the MAE ratios to the baseline', () => {
    const base = new Map([
      ['100:30', 10],
      ['130:30', 20],
    ]);
    const s = scoreRows([row('m', 100, 30, 5), row('m', 130, 30, 40)], base);
    // ratios 0.5 and 2: geometric mean 1
    expect(s?.measure).toBe('relmae');
    expect(s?.score).toBeCloseTo(1, 12);
    expect(scoreRows([row('m', 100, 30, 5), row('m', 130, 30, 10)], base)?.score).toBeCloseTo(0.5, 12);
  });

  it('falls back to the mean MAE when the baseline was always exact', () => {
    const s = scoreRows([row('m', 100, 30, 3), row('m', 130, 30, 5)], new Map([['100:30', 0]]));
    expect(s).toEqual({ score: 4, measure: 'mae', forecasts: 2 });
  });

  it('chooses the model that beats the baseline and keeps one that does not out of the ensemble', () => {
    const plan = planBacktest(150);
    const rows: BacktestRow[] = [];
    for (const [h, ls] of plan.byHorizon) {
      for (const l of ls) {
        rows.push(row('naive', l, h, 10), row('good', l, h, 5), row('bad', l, h, 12));
      }
    }
    const bt: BacktestResult = { plan, rows, paths: new Map(), failures: [], seconds: {} };
    const h: History = { kind: 'daily', startDay: 0, values: new Array(150).fill(1) };
    const s = select(h, bt, ['naive', 'good', 'bad']);
    expect(s.chosen).toBe('good');
    expect(s.weights).toEqual({ good: 1 });
    expect(s.scores.map((x) => [x.model, Number(x.score.toFixed(6))])).toEqual([
      ['good', 0.5],
      ['naive', 1],
      ['bad', 1.2],
    ]);
    expect(s.reason).toMatch(/50% of the drift baseline/);
  });

  it('falls back to the baseline, saying so, when nothing could be backtested', () => {
    const bt: BacktestResult = {
      plan: planBacktest(70),
      rows: [],
      paths: new Map(),
      failures: [],
      seconds: {},
    };
    const s = select({ kind: 'daily', startDay: 0, values: new Array(70).fill(3) }, bt, ['naive', 'good']);
    expect(s.chosen).toBe('naive');
    expect(s.reason).toMatch(/too short for any backtest/);
  });

  it('summarize averages each model and horizon over its origins', () => {
    const rs = [row('a', 100, 30, 2), row('a', 130, 30, 4), row('a', 100, 90, 6)];
    rs[0] = { ...(rs[0] as BacktestRow), mape: 1, coverage80: 1 };
    rs[1] = { ...(rs[1] as BacktestRow), mape: 3, coverage80: 0 };
    const s = summarize(rs);
    expect(s.map((x) => [x.horizon, x.origins, x.mae, x.mape, x.coverage80])).toEqual([
      [30, 2, 3, 2, 0.5],
      [90, 1, 6, null, null],
    ]);
  });
});

describe('interval calibration', () => {
  it('takes the 80th / 95th percentile of the backtest misses on a log(1 + x) scale, per horizon bucket', () => {
    // 10 origins each project 5 days of a flat 99 as (99 + 1) * exp(-m) - 1, m = 0.01 .. 0.10
    const values = new Array(200).fill(99);
    const h: History = { kind: 'daily', startDay: 0, values };
    const paths = new Map<number, Band>();
    for (let o = 0; o < 10; o++) {
      const y = 100 * Math.exp(-0.01 * (o + 1)) - 1;
      paths.set(100 + o * 5, flatBand(new Array(5).fill(y), 0.1));
    }
    const c = calibrate(h, paths);
    const b = c.buckets[0];
    expect(b?.days).toBe(50);
    expect(b?.rawCoverage80).toBe(0);
    // misses 0.01 .. 0.10, five days each: the 40th of 50 (80%) is 0.08, the 48th (95%) 0.10
    expect(b?.miss80).toBeCloseTo(0.08, 12);
    expect(b?.miss95).toBeCloseTo(0.1, 12);
    // buckets without backtest days keep the previous miss: never shrinking with the horizon
    expect(c.buckets[1]?.days).toBe(0);
    expect(c.buckets[3]?.miss80).toBe(b?.miss80);
    // a range wide enough already: all inside
    const wide = calibrate(h, new Map([[100, flatBand([99, 99], 50)]]));
    expect(wide.buckets[0]?.rawCoverage80).toBe(1);
    expect(wide.buckets[0]?.miss80).toBe(0);
  });

  it('interpolates between bucket midpoints, widens a narrow range and never narrows a wide one', () => {
    const c = {
      buckets: [
        { fromDay: 1, toDay: 30, days: 1, rawCoverage80: 0, rawCoverage95: 0, miss80: 0.1, miss95: 0.2 },
        { fromDay: 31, toDay: 90, days: 1, rawCoverage80: 0, rawCoverage95: 0, miss80: 0.3, miss95: 0.4 },
      ],
    };
    expect(missAt(c, 1, 80)).toBe(0.1);
    expect(missAt(c, 15.5, 80)).toBe(0.1);
    expect(missAt(c, 38, 80)).toBeCloseTo(0.2, 12);
    expect(missAt(c, 400, 95)).toBe(0.4);
    const narrow = applyCalibration(flatBand([999, 999], 1), c);
    expect(narrow.lo80[0]).toBeCloseTo(1000 * Math.exp(-0.1) - 1, 9);
    expect(narrow.hi80[0]).toBeCloseTo(1000 * Math.exp(0.1) - 1, 9);
    expect(narrow.hi95[0]).toBeCloseTo(1000 * Math.exp(0.2) - 1, 9);
    const wideBand = flatBand([999, 999], 400);
    const wide = applyCalibration(wideBand, c);
    expect(wide.lo80).toEqual(wideBand.lo80);
    expect(wide.hi95).toEqual(wideBand.hi95);
    for (const out of [narrow, wide]) {
      for (let i = 0; i < 2; i++) {
        expect(out.lo95[i]).toBeLessThanOrEqual(out.lo80[i] as number);
        expect(out.hi80[i]).toBeLessThanOrEqual(out.hi95[i] as number);
        expect(out.lo95[i]).toBeGreaterThanOrEqual(0);
      }
    }
  });
});

describe('reading a daily series', () => {
  it('reads date and total, and fills missing days and outage zeros by interpolation', () => {
    const dir = tempDir('fleetpulse-fc-series-');
    const f = join(dir, 'daily_online.csv');
    writeFileSync(
      f,
      [
        'date,fleet_1_2,fleet_3_9,fleet_10_99,fleet_100_999,fleet_1000_plus,total',
        '2018-01-01,0,0,0,0,0,100',
        '2018-01-02,0,0,0,0,0,0',
        '2018-01-03,0,0,0,0,0,110',
        '2018-01-06,0,0,0,0,0,140',
        '2018-01-07,0,0,0,0,0,150',
      ].join('\n'),
    );
    const s = readDailyColumn(f);
    expect(s.values).toHaveLength(7);
    expect(Number.isNaN(s.values[3])).toBe(true);
    const { values, gaps } = fillGaps(s.startDay, s.values);
    expect(values).toEqual([100, 105, 110, 120, 130, 140, 150]);
    expect(gaps.missingDays).toEqual(['2018-01-04', '2018-01-05']);
    expect(gaps.zeroDays).toEqual(['2018-01-02']);
  });

  it('keeps the zeros of a series that is mostly zero', () => {
    const { values, gaps } = fillGaps(0, [0, 0, 3, 0, 0, 2, 0]);
    expect(values).toEqual([0, 0, 3, 0, 0, 2, 0]);
    expect(gaps.zeroDays).toEqual([]);
  });

  it('names the file and line of a bad row', () => {
    const dir = tempDir('fleetpulse-fc-series-');
    const f = join(dir, 'd.csv');
    writeFileSync(f, 'date,total\n2018-01-01,5\n2018-01-02,x\n');
    expect(() => readDailyColumn(f)).toThrow(InputError);
    expect(() => readDailyColumn(f)).toThrow(`${f}:3: field total: not a count >= 0: 'x'`);
    writeFileSync(f, 'date,total\n2018-01-02,5\n2018-01-01,4\n');
    expect(() => readDailyColumn(f)).toThrow(/ascending and unique/);
    expect(() => readDailyColumn(join(dir, 'none.csv'))).toThrow(`${join(dir, 'none.csv')}: no such file`);
  });
});
