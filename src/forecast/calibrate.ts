import type { Band, History } from './types.js';

/** Horizon buckets (days ahead) the interval widths are calibrated in. */
export const CALIBRATION_BUCKETS: [number, number][] = [
  [1, 30],
  [31, 90],
  [91, 180],
  [181, 365],
];

export interface CalibrationBucket {
  fromDay: number;
  toDay: number;
  /** Backtest days (origin x day ahead) in the bucket. */
  days: number;
  /** Share of those days inside the projection's own 80% / 95% range. */
  rawCoverage80: number | null;
  rawCoverage95: number | null;
  /** Factor the half-widths are multiplied by (at least 1). */
  factor80: number;
  factor95: number;
}

export interface Calibration {
  buckets: CalibrationBucket[];
}

/** The factor c >= 1 such that a share `level` of the days fall inside the range widened by c. */
function factorFor(needed: number[], level: number): number {
  if (needed.length === 0) return 1;
  const s = [...needed].sort((a, b) => a - b);
  const q = s[Math.min(s.length - 1, Math.ceil(level * s.length) - 1)] as number;
  return Math.max(1, q);
}

/**
 * How much a day's range must be widened to hold the actual value a (<= 1
 * when it already does). Widths are measured on a log(1 + x) scale, so that a
 * range widens in proportion to the level and never below 0.
 */
export function needed(a: number, y: number, lo: number, hi: number): number {
  const la = Math.log1p(a);
  const ly = Math.log1p(y);
  if (la < ly) {
    const w = ly - Math.log1p(lo);
    return w > 0 ? (ly - la) / w : Number.POSITIVE_INFINITY;
  }
  if (la > ly) {
    const w = Math.log1p(hi) - ly;
    return w > 0 ? (la - ly) / w : Number.POSITIVE_INFINITY;
  }
  return 0;
}

/** A bound moved away from y by factor f times its distance, on the log(1 + x) scale. */
function widen(y: number, bound: number, f: number): number {
  const ly = Math.log1p(y);
  return Math.max(0, Math.expm1(ly + f * (Math.log1p(bound) - ly)));
}

/**
 * Empirical calibration of a projection's ranges on its own backtests: in
 * each horizon bucket, the factor by which the 80% (95%) half-widths (on a
 * log(1 + x) scale) must be multiplied so that 80% (95%) of the backtest days
 * fall inside. Ranges are only ever widened. `paths` maps a backtest origin (training length) to the
 * projection made there.
 */
export function calibrate(history: History, paths: Map<number, Band>): Calibration {
  const buckets: CalibrationBucket[] = [];
  for (const [from, to] of CALIBRATION_BUCKETS) {
    const n80: number[] = [];
    const n95: number[] = [];
    for (const [len, band] of paths) {
      for (let k = from; k <= to && k <= band.yhat.length; k++) {
        const a = history.values[len + k - 1];
        if (a === undefined) break;
        const i = k - 1;
        const y = band.yhat[i] as number;
        n80.push(needed(a, y, band.lo80[i] as number, band.hi80[i] as number));
        n95.push(needed(a, y, band.lo95[i] as number, band.hi95[i] as number));
      }
    }
    const inside = (xs: number[]) => (xs.length ? xs.filter((x) => x <= 1).length / xs.length : null);
    const prev = buckets[buckets.length - 1];
    buckets.push({
      fromDay: from,
      toDay: to,
      days: n80.length,
      rawCoverage80: inside(n80),
      rawCoverage95: inside(n95),
      factor80: n80.length ? factorFor(n80, 0.8) : (prev?.factor80 ?? 1),
      factor95: n95.length ? factorFor(n95, 0.95) : (prev?.factor95 ?? 1),
    });
  }
  return { buckets };
}

/** The factor for day k ahead: linear between bucket midpoints, flat beyond the first and last. */
export function factorAt(c: Calibration, k: number, level: 80 | 95): number {
  const pts = c.buckets.map((b) => ({
    x: (b.fromDay + b.toDay) / 2,
    y: level === 80 ? b.factor80 : b.factor95,
  }));
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (!first || !last) return 1;
  if (k <= first.x) return first.y;
  if (k >= last.x) return last.y;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1] as { x: number; y: number };
    const b = pts[i] as { x: number; y: number };
    if (k <= b.x) return a.y + ((b.y - a.y) * (k - a.x)) / (b.x - a.x);
  }
  return last.y;
}

/** A band with its half-widths (log(1 + x) scale) multiplied by the calibration factors. */
export function applyCalibration(b: Band, c: Calibration): Band {
  const out: Band = { yhat: b.yhat.slice(), lo80: [], hi80: [], lo95: [], hi95: [] };
  for (let i = 0; i < b.yhat.length; i++) {
    const y = b.yhat[i] as number;
    const f80 = factorAt(c, i + 1, 80);
    const f95 = factorAt(c, i + 1, 95);
    const lo80 = widen(y, b.lo80[i] as number, f80);
    const hi80 = widen(y, b.hi80[i] as number, f80);
    out.lo80.push(lo80);
    out.hi80.push(hi80);
    out.lo95.push(Math.min(lo80, widen(y, b.lo95[i] as number, f95)));
    out.hi95.push(Math.max(hi80, widen(y, b.hi95[i] as number, f95)));
  }
  return out;
}
