import { isoToDay } from '../util/time.js';
import { BUCKETS } from './buckets.js';
import type { CountRow } from './run-folder.js';

/** The count columns, buckets first, then the total. */
export const SERIES = [
  ...BUCKETS.map((b) => ({ key: b.key, label: b.label })),
  { key: 'total', label: 'Total' },
] as const;
export type SeriesKey = (typeof SERIES)[number]['key'];

export function dayOf(row: CountRow): number {
  return isoToDay(row.date) as number;
}

/** History length in days, first to last row inclusive. */
export function historyDays(rows: CountRow[]): number {
  const first = rows[0];
  const last = rows.at(-1);
  return first && last ? dayOf(last) - dayOf(first) + 1 : 0;
}

export interface Growth {
  days: number;
  /** The row `days` days before the latest one, or undefined when history is shorter. */
  base?: CountRow;
  /** Per series: absolute change and relative change (undefined when the base is 0). */
  change: Partial<Record<SeriesKey, { abs: number; rel?: number }>>;
}

/** Change of every series between the latest row and the row exactly `days` days earlier. */
export function growth(rows: CountRow[], days: number): Growth {
  const latest = rows.at(-1);
  if (!latest) return { days, change: {} };
  const target = dayOf(latest) - days;
  const base = rows.find((r) => dayOf(r) === target);
  if (!base) return { days, change: {} };
  const change: Growth['change'] = {};
  for (const s of SERIES) {
    const a = base[s.key];
    const b = latest[s.key];
    change[s.key] = { abs: b - a, rel: a > 0 ? (b - a) / a : undefined };
  }
  return { days, base, change };
}

export interface ErrorStats {
  /** Days compared (present in both files). */
  days: number;
  mae: number;
  /** Mean signed error (repaired - true): > 0 means the repair over-counts. */
  bias: number;
  /** Mean absolute percentage error over the days with a non-zero true count; undefined if none. */
  mape?: number;
  mapeDays: number;
  maxAbs: number;
  maxAbsDate?: string;
}

export interface TruthComparison {
  days: number;
  first?: string;
  last?: string;
  /** Days in only one of the two files (left out of the comparison). */
  onlyRepaired: number;
  onlyTruth: number;
  bySeries: Record<SeriesKey, ErrorStats>;
  /** The joined rows, for the charts. */
  pairs: { date: string; repaired: CountRow; truth: CountRow }[];
}

/** Compares the repaired counts with the generator's true counts on the days both files hold. */
export function compareWithTruth(repaired: CountRow[], truth: CountRow[]): TruthComparison {
  const byDate = new Map(truth.map((r) => [r.date, r]));
  const pairs: TruthComparison['pairs'] = [];
  for (const r of repaired) {
    const t = byDate.get(r.date);
    if (t) pairs.push({ date: r.date, repaired: r, truth: t });
  }
  const bySeries = {} as Record<SeriesKey, ErrorStats>;
  for (const s of SERIES) {
    let absSum = 0;
    let signedSum = 0;
    let pctSum = 0;
    let pctDays = 0;
    let maxAbs = -1;
    let maxAbsDate: string | undefined;
    for (const p of pairs) {
      const t = p.truth[s.key];
      const e = p.repaired[s.key] - t;
      absSum += Math.abs(e);
      signedSum += e;
      if (t > 0) {
        pctSum += Math.abs(e) / t;
        pctDays++;
      }
      if (Math.abs(e) > maxAbs) {
        maxAbs = Math.abs(e);
        maxAbsDate = p.date;
      }
    }
    const n = pairs.length;
    bySeries[s.key] = {
      days: n,
      mae: n ? absSum / n : 0,
      bias: n ? signedSum / n : 0,
      mape: pctDays ? pctSum / pctDays : undefined,
      mapeDays: pctDays,
      maxAbs: Math.max(0, maxAbs),
      maxAbsDate,
    };
  }
  return {
    days: pairs.length,
    first: pairs[0]?.date,
    last: pairs.at(-1)?.date,
    onlyRepaired: repaired.length - pairs.length,
    onlyTruth: truth.length - pairs.length,
    bySeries,
    pairs,
  };
}
