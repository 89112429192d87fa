/**
 * Each projection model on synthetic series of known shape: linear,
 * exponential, weekly-seasonal, flat, zero, short; and the cohort model's
 * survival estimate and projection on a simulated fleet whose law is known.
 */
import { describe, expect, it } from 'vitest';
import { DeviceLog, deviceDaysFrom } from '../src/forecast/devices.js';
import { cohortModel, kaplanMeier, returnProbabilities } from '../src/forecast/models/cohort.js';
import { loglinearModel } from '../src/forecast/models/loglinear.js';
import { mstlModel } from '../src/forecast/models/mstl.js';
import { naiveModel } from '../src/forecast/models/naive.js';
import { prophetModel } from '../src/forecast/models/prophet.js';
import type { Band, ForecastModel, History } from '../src/forecast/types.js';
import { mulberry32, simulateFleet } from './forecast-helpers.js';

const START = 17000; // 2016-07-17
const series = (n: number, f: (t: number) => number): History => ({
  kind: 'daily',
  startDay: START,
  values: Array.from({ length: n }, (_, t) => f(t)),
});
const noise = (seed: number, sd: number) => {
  const r = mulberry32(seed);
  return () => sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
};
/** A weekly pattern: weekends (two of the seven weekdays) at 60% of weekdays. */
const weekly = (day: number) => ([2, 3].includes(((day % 7) + 7) % 7) ? 0.6 : 1);

function expectOrdered(b: Band): void {
  for (let i = 0; i < b.yhat.length; i++) {
    expect(b.lo95[i]).toBeLessThanOrEqual(b.lo80[i] as number);
    expect(b.lo80[i]).toBeLessThanOrEqual(b.yhat[i] as number);
    expect(b.yhat[i]).toBeLessThanOrEqual(b.hi80[i] as number);
    expect(b.hi80[i]).toBeLessThanOrEqual(b.hi95[i] as number);
    expect(b.lo95[i]).toBeGreaterThanOrEqual(0);
  }
}

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('naive (drift) baseline', () => {
  it('continues a straight line exactly, with no spread when there is no noise', () => {
    const b = naiveModel.fit(series(50, (t) => 10 + 2 * t)).forecast(5);
    expect(b.yhat).toEqual([110, 112, 114, 116, 118]);
    expect(b.hi95).toEqual(b.yhat);
  });

  it('widens its range with the horizon on a noisy series', () => {
    const e = noise(1, 5);
    const b = naiveModel.fit(series(200, (t) => 500 + t + e())).forecast(100);
    expectOrdered(b);
    expect((b.hi80[99] as number) - (b.lo80[99] as number)).toBeGreaterThan(
      5 * ((b.hi80[0] as number) - (b.lo80[0] as number)),
    );
  });

  it('projects a flat or zero series as flat, and refuses a single day', () => {
    expect(naiveModel.fit(series(30, () => 7)).forecast(3).yhat).toEqual([7, 7, 7]);
    expect(naiveModel.fit(series(30, () => 0)).forecast(3).hi95).toEqual([0, 0, 0]);
    expect(() => naiveModel.fit(series(1, () => 7))).toThrow(/at least 2 days/);
  });
});

describe('log-linear trend', () => {
  it('recovers a constant growth rate and extrapolates it', () => {
    const rate = 0.002; // a day
    const h = series(400, (t) => 1000 * Math.exp(rate * t) - 1);
    const m = loglinearModel.fit(h);
    expect(m.params.growthPerYear as number).toBeCloseTo(Math.expm1(rate * 365), 6);
    const b = m.forecast(200);
    expect(relErr(b.yhat[199] as number, 1000 * Math.exp(rate * 599) - 1)).toBeLessThan(1e-6);
  });

  it('keeps the weekly pattern as a share of the level', () => {
    const e = noise(2, 0.01);
    const h = series(365, (t) => 2000 * Math.exp(0.001 * t) * weekly(START + t) * (1 + e()));
    const b = loglinearModel.fit(h).forecast(14);
    expectOrdered(b);
    for (let k = 1; k <= 14; k++) {
      const truth = 2000 * Math.exp(0.001 * (364 + k)) * weekly(START + 364 + k);
      expect(relErr(b.yhat[k - 1] as number, truth)).toBeLessThan(0.03);
      expect(b.lo95[k - 1]).toBeLessThan(truth);
      expect(b.hi95[k - 1]).toBeGreaterThan(truth);
    }
  });

  it('projects zero as zero and refuses fewer than 14 days', () => {
    const b = loglinearModel.fit(series(30, () => 0)).forecast(10);
    expect(b.yhat.every((v) => v === 0)).toBe(true);
    expect(() => loglinearModel.fit(series(13, () => 5))).toThrow(/at least 14 days/);
  });
});

describe('MSTL + ETS (weekly cycle)', () => {
  it('projects a linear trend with a weekly cycle, keeping the cycle', () => {
    const e = noise(3, 10);
    const h = series(400, (t) => (1000 + 3 * t) * weekly(START + t) + e());
    const b = mstlModel.fit(h).forecast(28);
    expectOrdered(b);
    for (let k = 1; k <= 28; k++) {
      const truth = (1000 + 3 * (399 + k)) * weekly(START + 399 + k);
      expect(relErr(b.yhat[k - 1] as number, truth)).toBeLessThan(0.05);
    }
    // weekend days stay below the weekdays around them
    const wk = b.yhat.map((v, i) => ({ v, w: weekly(START + 400 + i) }));
    const weekend = wk.filter((x) => x.w < 1).map((x) => x.v);
    const weekdays = wk.filter((x) => x.w === 1).map((x) => x.v);
    expect(Math.max(...weekend)).toBeLessThan(Math.min(...weekdays));
  });

  it('refuses fewer than 4 weekly cycles', () => {
    expect(() => mstlModel.fit(series(27, () => 5))).toThrow(/at least 28 days/);
  });
});

describe('Prophet', () => {
  it('projects a linear trend with a weekly cycle', () => {
    const e = noise(4, 5);
    const h = series(300, (t) => (800 + 2 * t) * weekly(START + t) + e());
    const b = prophetModel.fit(h).forecast(60);
    expectOrdered(b);
    let err = 0;
    for (let k = 1; k <= 60; k++)
      err += relErr(b.yhat[k - 1] as number, (800 + 2 * (299 + k)) * weekly(START + 299 + k));
    expect(err / 60).toBeLessThan(0.03);
  });

  it('refuses an all-zero series and a short one', () => {
    expect(() => prophetModel.fit(series(100, () => 0))).toThrow(/all zeros/);
    expect(() => prophetModel.fit(series(59, () => 3))).toThrow(/at least 60 days/);
  });
});

describe('all models on flat and short series', () => {
  const models: ForecastModel[] = [naiveModel, loglinearModel, mstlModel, prophetModel];
  it.each(models.map((m) => [m.name, m] as const))(
    '%s projects a flat series of 120 days close to flat',
    (_n, m) => {
      const b = m.fit(series(120, () => 250)).forecast(30);
      expectOrdered(b);
      for (const v of b.yhat) expect(Math.abs(v - 250)).toBeLessThan(250 * 0.02);
    },
  );
});

describe('Kaplan-Meier', () => {
  it('matches the hand-computed curve, with censoring', () => {
    // lifetimes 1 (event), 2 (event), 2 (censored), 3 (event): at risk 4, 3, 2, 1
    const km = kaplanMeier(
      Int32Array.from([1, 2, 2, 3]),
      Float64Array.from([1, 1, 1, 1]),
      Uint8Array.from([1, 1, 0, 1]),
      5,
    );
    // MIN_AT_RISK is 30, so nothing is read from 4 devices: the curve is flat at 1
    expect(km.reliableAge).toBe(0);
    const many = (k: number, t: number[], e: number[]) => ({
      times: t.flatMap((x) => new Array(k).fill(x)),
      events: e.flatMap((x) => new Array(k).fill(x)),
    });
    const d = many(10, [1, 2, 2, 3], [1, 1, 0, 1]);
    const km2 = kaplanMeier(
      Int32Array.from(d.times),
      new Float64Array(40).fill(1),
      Uint8Array.from(d.events),
      6,
    );
    // S(x) = P(L >= x): S(1) = 1; S(2) = 1 - 10/40 = 0.75; S(3) = 0.75 * (1 - 10/30) = 0.5
    expect(km2.s[1]).toBe(1);
    expect(km2.s[2]).toBeCloseTo(0.75, 12);
    expect(km2.s[3]).toBeCloseTo(0.5, 12);
    // at age 3 only 10 devices remain at risk (< 30): beyond, the tail hazard (mean of 0, .25, .333)
    expect(km2.reliableAge).toBe(3);
    expect(km2.tailHazard).toBeCloseTo((0 + 0.25 + 1 / 3) / 3, 12);
    expect(km2.s[4]).toBeCloseTo(0.5 * (1 - km2.tailHazard), 12);
  });

  it('splits a device between an event and a censoring by weight', () => {
    const km = kaplanMeier(Int32Array.from([0, 5]), Float64Array.from([40, 40]), Uint8Array.from([1, 0]), 6);
    expect(km.s[1]).toBeCloseTo(0.5, 12); // 40 of 80 end at age 0
    expect(km.s[5]).toBeCloseTo(0.5, 12);
  });
});

describe('device log', () => {
  it('sees only the days up to its cut', () => {
    const log = new DeviceLog(
      deviceDaysFrom([
        [7, 10],
        [7, 12],
        [7, 20],
        [3, 15],
        [3, 15],
      ]),
      19,
    );
    expect(log.devices).toBe(2);
    expect(log.first(0)).toBe(15); // device 3
    expect(log.first(1)).toBe(10);
    expect(log.lastOnOrBefore(1, 100)).toBe(12);
    expect(log.lastOnOrBefore(1, 11)).toBe(10);
    expect(log.lastOnOrBefore(1, 9)).toBe(-1);
    expect(log.asOf(14).first(0)).toBe(-1);
  });

  it('measures how often silent devices come back', () => {
    // 40 devices online every day to day 200; 40 online every day to day 120 then gone.
    const pairs: [number, number][] = [];
    for (let d = 0; d < 80; d++) for (let t = 0; t <= (d < 40 ? 200 : 120); t++) pairs.push([d, t]);
    // 40 more, silent 3 days at day 100 and back on 104
    for (let d = 80; d < 120; d++) for (let t = 0; t <= 200; t++) if (t < 98 || t > 103) pairs.push([d, t]);
    const log = new DeviceLog(deviceDaysFrom(pairs), 200);
    const r = returnProbabilities(log, 0);
    expect(r.referenceDays).toBe(4); // days 109, 102, 95, 88
    // at day 102, the 40 silent devices were last seen on 97 (5 days): all came back
    expect(r.p[0]).toBeGreaterThan(0.99);
    expect(r.p[5]).toBeGreaterThan(0.95);
  });
});

describe('cohort model', () => {
  // Constant arrivals, exponential lifetimes: the 28-day count tends to a known level.
  const lambda = 20;
  const meanLife = 150;
  const fleet = simulateFleet({
    startDay: START,
    days: 700,
    arrivals: () => lambda,
    meanLife,
    pWeekday: 0.8,
    pWeekend: 0.5,
    seed: 11,
  });
  const log = (n: number) =>
    new DeviceLog(
      deviceDaysFrom(fleet.deviceDays.map(([dev, , day]) => [dev, day] as [number, number])),
      START + n - 1,
    );

  it('recovers the lifetime law and projects the 28-day count', () => {
    const n = 500;
    const h: History = {
      kind: 'rolling28',
      startDay: START,
      values: fleet.rolling28.slice(0, n),
      devices: log(n),
    };
    const m = cohortModel.fit(h);
    // exponential lifetime: median = mean * ln 2 (in whole days)
    expect(Math.abs((m.params.medianLifetimeDays as number) - meanLife * Math.LN2)).toBeLessThan(12);
    expect(Math.abs((m.params.arrivalsPerDayAtCutoff as number) - lambda)).toBeLessThan(2);
    const b = m.forecast(200);
    expectOrdered(b);
    let err = 0;
    for (let k = 1; k <= 200; k++)
      err += relErr(b.yhat[k - 1] as number, fleet.rolling28[n + k - 1] as number);
    expect(err / 200).toBeLessThan(0.04);
    // steady state of the 28-day count: lambda * (mean life + 28)
    expect(relErr(b.yhat[199] as number, lambda * (meanLife + 28))).toBeLessThan(0.1);
  });

  it('maps the 28-day count to the daily count with the weekday ratios', () => {
    const n = 500;
    const h: History = {
      kind: 'daily',
      startDay: START,
      values: fleet.daily.slice(0, n),
      rolling28: fleet.rolling28.slice(0, n),
      devices: log(n),
    };
    const b = cohortModel.fit(h).forecast(60);
    let err = 0;
    for (let k = 1; k <= 60; k++) err += relErr(b.yhat[k - 1] as number, fleet.daily[n + k - 1] as number);
    expect(err / 60).toBeLessThan(0.05);
  });

  it('explains what it needs when it cannot run', () => {
    const base: History = { kind: 'daily', startDay: START, values: fleet.daily.slice(0, 100) };
    expect(() => cohortModel.fit(base)).toThrow(/device_days.parquet/);
    expect(() => cohortModel.fit({ ...base, devices: log(100) })).toThrow(/rolling28/);
    expect(() => cohortModel.fit({ ...base, values: base.values.slice(0, 59), devices: log(59) })).toThrow(
      /at least 60 days/,
    );
    const empty = new DeviceLog({ days: new Int32Array(0), offsets: Int32Array.from([0]) }, START + 99);
    expect(() => cohortModel.fit({ ...base, rolling28: base.values, devices: empty })).toThrow(
      /too few for a survival curve/,
    );
  });
});
