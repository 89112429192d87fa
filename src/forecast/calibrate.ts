import type { Band, History } from './types.js';

/** Horizon buckets (days ahead) the ranges are calibrated in. */
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
  /**
   * 80th / 95th percentile of the backtest misses |log(1 + actual) - log(1 + projection)|:
   * the reported ranges reach at least this far on each side (exp(miss) - 1 is the relative miss).
   */
  miss80: number;
  miss95: number;
}

export interface Calibration {
  buckets: CalibrationBucket[];
}

function quantile(xs: number[], level: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(level * s.length) - 1))] as number;
}

/**
 * Empirical calibration of a projection's ranges on its own backtests. In each
 * horizon bucket, the misses of the projection made at every backtest origin
 * (on a log(1 + x) scale: relative misses) are collected; 80% (95%) of them
 * were smaller than miss80 (miss95). The reported 80% (95%) range is the
 * projection's own, widened where needed to reach miss80 (miss95) on both
 * sides: ranges are never narrowed, and a bucket's miss is at least the
 * previous one's (uncertainty does not shrink with the horizon). `paths` maps
 * a backtest origin (training length) to the projection made there.
 */
export function calibrate(history: History, paths: Map<number, Band>): Calibration {
  const buckets: CalibrationBucket[] = [];
  for (const [from, to] of CALIBRATION_BUCKETS) {
    const miss: number[] = [];
    let in80 = 0;
    let in95 = 0;
    for (const [len, band] of paths) {
      for (let k = from; k <= to && k <= band.yhat.length; k++) {
        const a = history.values[len + k - 1];
        if (a === undefined) break;
        const i = k - 1;
        miss.push(Math.abs(Math.log1p(a) - Math.log1p(band.yhat[i] as number)));
        if (a >= (band.lo80[i] as number) && a <= (band.hi80[i] as number)) in80++;
        if (a >= (band.lo95[i] as number) && a <= (band.hi95[i] as number)) in95++;
      }
    }
    const prev = buckets[buckets.length - 1];
    buckets.push({
      fromDay: from,
      toDay: to,
      days: miss.length,
      rawCoverage80: miss.length ? in80 / miss.length : null,
      rawCoverage95: miss.length ? in95 / miss.length : null,
      miss80: Math.max(prev?.miss80 ?? 0, quantile(miss, 0.8)),
      miss95: Math.max(prev?.miss95 ?? 0, quantile(miss, 0.95)),
    });
  }
  return { buckets };
}

/** The calibrated miss for day k ahead: linear between bucket midpoints, flat beyond the first and last. */
export function missAt(c: Calibration, k: number, level: 80 | 95): number {
  const pts = c.buckets.map((b) => ({ x: (b.fromDay + b.toDay) / 2, y: level === 80 ? b.miss80 : b.miss95 }));
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (!first || !last) return 0;
  if (k <= first.x) return first.y;
  if (k >= last.x) return last.y;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1] as { x: number; y: number };
    const b = pts[i] as { x: number; y: number };
    if (k <= b.x) return a.y + ((b.y - a.y) * (k - a.x)) / (b.x - a.x);
  }
  return last.y;
}

/** A band whose ranges reach at least the calibrated misses on each side of the projection. */
export function applyCalibration(b: Band, c: Calibration): Band {
  const out: Band = { yhat: b.yhat.slice(), lo80: [], hi80: [], lo95: [], hi95: [] };
  for (let i = 0; i < b.yhat.length; i++) {
    const ly = Math.log1p(b.yhat[i] as number);
    const m80 = missAt(c, i + 1, 80);
    const m95 = Math.max(m80, missAt(c, i + 1, 95));
    const lo80 = Math.min(b.lo80[i] as number, Math.max(0, Math.expm1(ly - m80)));
    const hi80 = Math.max(b.hi80[i] as number, Math.expm1(ly + m80));
    out.lo80.push(lo80);
    out.hi80.push(hi80);
    out.lo95.push(Math.min(lo80, b.lo95[i] as number, Math.max(0, Math.expm1(ly - m95))));
    out.hi95.push(Math.max(hi80, b.hi95[i] as number, Math.expm1(ly + m95)));
  }
  return out;
}
