import type { DeviceLog } from '../devices.js';
import { ols, quad } from '../ols.js';
import { type FittedModel, type ForecastModel, type History, normalBand } from '../types.js';
import { weekday } from './loglinear.js';

/** A device with no online day in the last WINDOW days is taken as gone (the 28-day count's window). */
export const WINDOW = 28;
/** Days of new-device activations the arrival trend is fitted on. */
export const ARRIVAL_WINDOW = 365;
/** The survival curve is read from the data while at least this many devices are at risk; beyond, a constant hazard. */
export const MIN_AT_RISK = 30;
/** Days before the reliable end of the curve whose average hazard continues it. */
const TAIL_SPAN = 180;
/** Weeks of history the daily / 28-day ratio per weekday is averaged over. */
const RATIO_WEEKS = 8;

/** Kaplan-Meier estimate of P(lifetime >= x), x = 0, 1, ... days. */
export interface SurvivalCurve {
  /** s[x] = P(lifetime >= x); s[0] = 1. Extended to any age with the tail hazard. */
  s: Float64Array;
  /** Greenwood sums: Var(log s[x]) ~ g[x]. */
  g: Float64Array;
  /** Last age read from data (at least MIN_AT_RISK devices at risk). */
  reliableAge: number;
  /** Daily hazard used beyond reliableAge. */
  tailHazard: number;
  /** Total weight of the devices (a device may be split between an event and a censoring). */
  devices: number;
  events: number;
}

/**
 * Weighted Kaplan-Meier over lifetimes (last online day - first online day):
 * entry i is an observed end of life at times[i] when event[i] is 1, a
 * censored one (the device lived at least that long) when 0, counting
 * weights[i] devices. The curve is extended to `maxAge` with the average
 * hazard of the last TAIL_SPAN reliable days.
 */
export function kaplanMeier(
  times: Int32Array,
  weights: Float64Array,
  event: Uint8Array,
  maxAge: number,
): SurvivalCurve {
  let top = 0;
  for (const l of times) if (l > top) top = l;
  const d = new Float64Array(top + 2);
  const ends = new Float64Array(top + 2);
  let events = 0;
  let total = 0;
  for (let i = 0; i < times.length; i++) {
    const l = times[i] as number;
    const w = weights[i] as number;
    total += w;
    ends[l] = (ends[l] as number) + w;
    if (event[i]) {
      d[l] = (d[l] as number) + w;
      events += w;
    }
  }
  const len = Math.max(maxAge, top) + 2;
  const s = new Float64Array(len);
  const g = new Float64Array(len);
  s[0] = 1;
  let atRisk = total;
  let reliableAge = 0;
  const hazards: number[] = [];
  for (let t = 0; t <= top && atRisk >= MIN_AT_RISK; t++) {
    const dt = d[t] as number;
    const h = Math.min(1, dt / atRisk);
    hazards.push(h);
    s[t + 1] = (s[t] as number) * (1 - h);
    g[t + 1] = (g[t] as number) + (atRisk > dt ? dt / (atRisk * (atRisk - dt)) : 0);
    reliableAge = t + 1;
    atRisk -= ends[t] as number;
  }
  const from = Math.max(0, hazards.length - TAIL_SPAN);
  const tail = hazards.slice(from);
  const tailHazard = tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : 0;
  for (let x = reliableAge + 1; x < len; x++) {
    s[x] = (s[x - 1] as number) * (1 - tailHazard);
    g[x] = g[reliableAge] as number;
  }
  return { s, g, reliableAge, tailHazard, devices: total, events };
}

/** Days a device silent at a reference day is given to come back. */
export const RETURN_WINDOW = 91;
/** Reference days, a week apart, pooled for the return probabilities. */
const RETURN_REFS = 4;

/**
 * P(a device will be online again | its last online day was s days ago),
 * s = 0..WINDOW-1, from the history itself: on reference days RETURN_WINDOW
 * or more days before the cut, the devices whose last online day was s days
 * earlier, and the share of them that was online again by the cut. Shrunk
 * to the pooled share for small groups, and made non-increasing in s.
 */
export function returnProbabilities(
  log: DeviceLog,
  startDay: number,
): { p: number[]; referenceDays: number; devices: number } {
  const cut = log.cut;
  let window = RETURN_WINDOW;
  if (cut - window < startDay + WINDOW) window = Math.floor((cut - startDay - WINDOW) / 2);
  const refs: number[] = [];
  for (let j = 0; j < RETURN_REFS; j++) {
    const t = cut - window - 7 * j;
    if (window >= WINDOW && t >= startDay + WINDOW) refs.push(t);
  }
  const back = new Array<number>(WINDOW).fill(0);
  const seen = new Array<number>(WINDOW).fill(0);
  for (const t of refs) {
    for (let k = 0; k < log.devices; k++) {
      const lt = log.lastOnOrBefore(k, t);
      if (lt < 0 || t - lt >= WINDOW) continue;
      const s = t - lt;
      seen[s] = (seen[s] as number) + 1;
      if (log.lastOnOrBefore(k, cut) > t) back[s] = (back[s] as number) + 1;
    }
  }
  const totalSeen = seen.reduce((a, b) => a + b, 0);
  if (totalSeen === 0) return { p: new Array<number>(WINDOW).fill(1), referenceDays: 0, devices: 0 };
  const pooled = back.reduce((a, b) => a + b, 0) / totalSeen;
  const prior = 5;
  const p: number[] = [];
  for (let s = 0; s < WINDOW; s++) {
    const v = ((back[s] as number) + prior * pooled) / ((seen[s] as number) + prior);
    p.push(s > 0 ? Math.min(v, p[s - 1] as number) : v);
  }
  return { p, referenceDays: refs.length, devices: totalSeen };
}

/**
 * Bottom-up projection. The 28-day online count on day D is the number of
 * devices first seen on or before D whose last online day is D - 27 or later.
 * So it is projected device by device:
 *
 * - devices active now (online in the last 28 days): a device last online s
 *   days ago comes back with the probability measured for such devices in the
 *   history; if it does, it stays until its lifetime ends, with probability
 *   S(age then - 27) / S(age now) from the Kaplan-Meier curve of all devices'
 *   lifetimes (devices still active at the cut-off are censored, split by
 *   that same return probability);
 * - devices not yet seen: daily activations follow the straight-line trend of
 *   the last year's activations, and each cohort decays along the same curve.
 *
 * The daily count is the 28-day count times the daily / 28-day ratio of the
 * last 8 weeks, per weekday (which carries the weekly cycle).
 *
 * Interval: the arrival trend's parameter and day-to-day uncertainty, the
 * survival curve's Greenwood variance (taken as fully correlated across
 * devices), and the scatter of the weekday ratio.
 */
export const cohortModel: ForecastModel = {
  name: 'cohort',
  label: 'Cohort model: activations trend x Kaplan-Meier device survival, plus the active devices',
  minHistory: 60,
  fit(history: History): FittedModel {
    const n = history.values.length;
    const log = history.devices;
    if (!log) throw new Error('needs device_days.parquet (per-device online days)');
    if (n < 60) throw new Error(`needs at least 60 days, got ${n}`);
    const r28 = history.kind === 'rolling28' ? history.values : history.rolling28;
    if (!r28) throw new Error('needs rolling28_online.csv to map the 28-day count to the daily one');
    const start = history.startDay;
    const end = start + n - 1;
    if (log.cut !== end)
      throw new Error(`device log cut ${log.cut} does not match the history's last day ${end}`);
    const truncatedBefore = start + WINDOW; // devices first seen earlier may be older than they look
    const ret = returnProbabilities(log, start);

    // Lifetimes for Kaplan-Meier, ages and lifetimes of the active devices, daily activations.
    const kmTime: number[] = [];
    const kmWeight: number[] = [];
    const kmEvent: number[] = [];
    const activeAge: number[] = [];
    const activeLife: number[] = [];
    const activeReturn: number[] = [];
    const arrivals = new Float64Array(n);
    let maxAge = 0;
    for (let k = 0; k < log.devices; k++) {
      const f = log.first(k);
      if (f < 0) continue;
      const l = log.lastOnOrBefore(k, end);
      const life = l - f;
      const silent = end - l;
      const active = silent < WINDOW;
      const rho = active ? (ret.p[silent] as number) : 0;
      if (f >= truncatedBefore) {
        arrivals[f - start] = (arrivals[f - start] as number) + 1;
        if (active) {
          // Either it has already stopped (an end of life at its last online day)...
          kmTime.push(life);
          kmWeight.push(1 - rho);
          kmEvent.push(1);
          // ...or it will be back: alive at least until today.
          kmTime.push(end - f);
          kmWeight.push(rho);
          kmEvent.push(0);
        } else {
          kmTime.push(life);
          kmWeight.push(1);
          kmEvent.push(1);
        }
      }
      if (active) {
        activeAge.push(end - f);
        activeLife.push(life);
        activeReturn.push(rho);
        if (end - f > maxAge) maxAge = end - f;
      }
    }
    const observed = kmTime.length;
    if (observed < MIN_AT_RISK) {
      throw new Error(
        `only ${observed} devices first seen after the first ${WINDOW} days: too few for a survival curve`,
      );
    }
    const horizonCap = 3660;
    const km = kaplanMeier(
      Int32Array.from(kmTime),
      Float64Array.from(kmWeight),
      Uint8Array.from(kmEvent),
      maxAge + horizonCap,
    );

    // Arrival trend: least squares on the last year of daily activations (after the truncated start).
    const from = Math.max(truncatedBefore - start, n - ARRIVAL_WINDOW);
    const m = n - from;
    if (m < 28)
      throw new Error(`needs at least 28 days of activations after the first ${WINDOW} days, got ${m}`);
    const xs: number[][] = [];
    const ys: number[] = [];
    for (let i = from; i < n; i++) {
      xs.push([1, (i - (n - 1)) / 365]);
      ys.push(arrivals[i] as number);
    }
    const fit = ols(xs, ys);
    const infl = (1 + fit.rho) / (1 - fit.rho);
    const lambda = (k: number) => Math.max(0, (fit.beta[0] as number) + (fit.beta[1] as number) * (k / 365));

    // Daily / 28-day ratio per weekday over the last weeks, and its scatter.
    const ratio = new Array<number>(7).fill(1);
    let ratioSd = 0;
    if (history.kind === 'daily') {
      const span = Math.min(n, RATIO_WEEKS * 7);
      const sum = new Array<number>(7).fill(0);
      const cnt = new Array<number>(7).fill(0);
      for (let i = n - span; i < n; i++) {
        const den = r28[i] as number;
        if (!(den > 0)) continue;
        const w = weekday(start + i);
        sum[w] = (sum[w] as number) + (history.values[i] as number) / den;
        cnt[w] = (cnt[w] as number) + 1;
      }
      const all =
        sum.reduce((a, b) => a + b, 0) /
        Math.max(
          1,
          cnt.reduce((a, b) => a + b, 0),
        );
      for (let w = 0; w < 7; w++)
        ratio[w] = (cnt[w] as number) > 0 ? (sum[w] as number) / (cnt[w] as number) : all;
      let ss = 0;
      let c = 0;
      for (let i = n - span; i < n; i++) {
        const den = r28[i] as number;
        const v = history.values[i] as number;
        if (!(den > 0) || !(v > 0)) continue;
        const e = Math.log(v / (den * (ratio[weekday(start + i)] as number)));
        ss += e * e;
        c++;
      }
      ratioSd = c > 1 ? Math.sqrt(ss / (c - 1)) : 0;
    }

    const s = km.s;
    const g = km.g;
    const surv = (x: number) => (x <= 0 ? 1 : (s[Math.min(x, s.length - 1)] as number));
    const gw = (x: number) => (x <= 0 ? 0 : (g[Math.min(x, g.length - 1)] as number));
    const ageArr = Int32Array.from(activeAge);
    const lifeArr = Int32Array.from(activeLife);
    const retArr = Float64Array.from(activeReturn);

    return {
      params: {
        devicesForSurvival: Math.round(km.devices),
        churnEvents: Math.round(km.events),
        activeDevicesAtCutoff: ageArr.length,
        medianLifetimeDays: medianAge(s),
        survival90: surv(90),
        survival365: surv(365),
        survivalReliableToAgeDays: km.reliableAge,
        tailHazardPerDay: km.tailHazard,
        returnProbabilityBySilenceDays: ret.p,
        returnReferenceDays: ret.referenceDays,
        arrivalsPerDayAtCutoff: lambda(0),
        arrivalsTrendPerDayPerYear: fit.beta[1],
        arrivalWindowDays: m,
        dailyToRolling28RatioByWeekday: history.kind === 'daily' ? ratio : null,
        churnWindowDays: WINDOW,
      },
      forecast(h: number) {
        if (h > horizonCap) throw new Error(`horizon ${h} beyond ${horizonCap} days`);
        const yhat: number[] = [];
        const sd: number[] = [];
        for (let k = 1; k <= h; k++) {
          // Devices active at the cut-off.
          let exist = 0;
          let existSe = 0;
          for (let i = 0; i < ageArr.length; i++) {
            const life = lifeArr[i] as number;
            const age = ageArr[i] as number;
            const need = age + k - (WINDOW - 1);
            if (need <= life) {
              exist += 1;
              continue;
            }
            const back = retArr[i] as number;
            if (need <= age) {
              exist += back;
              continue;
            }
            const base = surv(age);
            if (base <= 0) continue;
            const p = (back * surv(need)) / base;
            exist += p;
            existSe += p * Math.sqrt(Math.max(0, gw(need) - gw(age)));
          }
          // Devices first seen after the cut-off, on day j = 1..k.
          let fresh = 0;
          let processVar = 0;
          const grad = [0, 0];
          for (let j = 1; j <= k; j++) {
            const w = surv(k - j - (WINDOW - 1));
            const lam = lambda(j);
            fresh += w * lam;
            if (lam > 0) {
              grad[0] = (grad[0] as number) + w;
              grad[1] = (grad[1] as number) + (w * j) / 365;
            }
            processVar += w * w * fit.sigma2;
          }
          const freshVar = fit.sigma2 * quad(fit.xtxInv, grad) * infl + processVar;
          const r = ratio[weekday(end + k)] as number;
          const mean = r * (exist + fresh);
          yhat.push(mean);
          sd.push(Math.sqrt(r * r * (existSe * existSe + freshVar) + (mean * ratioSd) ** 2));
        }
        return normalBand(yhat, sd);
      },
    };
  },
};

function medianAge(s: Float64Array): number | null {
  for (let x = 0; x < s.length; x++) if ((s[x] as number) < 0.5) return x - 1;
  return null;
}
