import { type BacktestResult, type BacktestRow, scorePath } from './backtest.js';
import { meanOf } from './metrics.js';
import type { Band, History } from './types.js';

/** Models whose backtest score is within this factor of the best one join the ensemble. */
export const ENSEMBLE_WITHIN = 1.5;

export interface ModelScore {
  model: string;
  /**
   * 'relmae': geometric mean, over every backtest forecast, of the model's
   * mean absolute error divided by the drift baseline's on the same origin
   * and horizon (below 1: better than the baseline). 'mae': the mean
   * absolute error, when there is no baseline to compare with or the
   * baseline was exact (a flat history).
   */
  score: number;
  measure: 'relmae' | 'mae';
  /** Backtest forecasts the score is made of. */
  forecasts: number;
  horizons: number[];
}

export interface Selection {
  /** 'ensemble' or a model name. */
  chosen: string;
  /** Weight per model (1 for a single model). */
  weights: Record<string, number>;
  scores: ModelScore[];
  ensembleScore: number | null;
  /** Ensemble rows for backtest.csv (empty when no ensemble was formed). */
  ensembleRows: BacktestRow[];
  reason: string;
}

/** Weighted average of bands, bound by bound (quantile averaging). */
export function combineBands(parts: { band: Band; weight: number }[]): Band {
  const total = parts.reduce((s, p) => s + p.weight, 0);
  const h = Math.min(...parts.map((p) => p.band.yhat.length));
  const key = ['yhat', 'lo80', 'hi80', 'lo95', 'hi95'] as const;
  const out: Band = { yhat: [], lo80: [], hi80: [], lo95: [], hi95: [] };
  for (let i = 0; i < h; i++) {
    for (const k of key) {
      let v = 0;
      for (const p of parts) v += (p.weight / total) * (p.band[k][i] as number);
      out[k].push(v);
    }
  }
  return out;
}

const key = (r: BacktestRow) => `${r.trainDays}:${r.horizon}`;

/** The score of one model's backtest rows (see ModelScore), against the baseline's rows. */
export function scoreRows(
  rows: BacktestRow[],
  baseline: Map<string, number> | undefined,
): { score: number; measure: 'relmae' | 'mae'; forecasts: number } | null {
  if (rows.length === 0) return null;
  if (baseline) {
    let sum = 0;
    let n = 0;
    for (const r of rows) {
      const b = baseline.get(key(r));
      if (b === undefined || !(b > 0)) continue;
      sum += Math.log(Math.max(r.mae, 1e-9) / b);
      n++;
    }
    if (n > 0) return { score: Math.exp(sum / n), measure: 'relmae', forecasts: n };
  }
  const mae = meanOf(rows.map((r) => r.mae));
  return mae === null ? null : { score: mae, measure: 'mae', forecasts: rows.length };
}

/** The baseline's MAE per backtest forecast, when the baseline ran and was not always exact. */
function baselineOf(bt: BacktestResult): Map<string, number> | undefined {
  const rows = bt.rows.filter((r) => r.model === 'naive');
  if (!rows.some((r) => r.mae > 0)) return undefined;
  return new Map(rows.map((r) => [key(r), r.mae]));
}

/**
 * The backtest score of each model that completed every backtest forecast
 * the plan holds (a model that failed at some origin is not compared).
 */
export function scoreModels(bt: BacktestResult, models: string[]): ModelScore[] {
  const horizons = [...bt.plan.byHorizon.keys()];
  const expected = [...bt.plan.byHorizon.values()].reduce((a, ls) => a + ls.length, 0);
  const failed = new Set(bt.failures.map((f) => f.model));
  const baseline = baselineOf(bt);
  const scores: ModelScore[] = [];
  for (const m of models) {
    if (failed.has(m)) continue;
    const rows = bt.rows.filter((r) => r.model === m);
    if (expected === 0 || rows.length !== expected) continue;
    const s = scoreRows(rows, baseline);
    if (s) scores.push({ model: m, ...s, horizons });
  }
  // With no common measure, nothing can be compared.
  const measure = scores.every((s) => s.measure === 'relmae') ? 'relmae' : 'mae';
  const same =
    measure === 'relmae'
      ? scores
      : scores.map(
          (s) =>
            ({
              ...s,
              ...scoreRows(
                bt.rows.filter((r) => r.model === s.model),
                undefined,
              ),
            }) as ModelScore,
        );
  return same.sort((a, b) => a.score - b.score || a.model.localeCompare(b.model));
}

const fmt = (x: number) => x.toFixed(3);

/**
 * Picks the projection from the backtests: the best single model, or the
 * inverse-score weighted ensemble of the models that beat the drift baseline
 * and score within ENSEMBLE_WITHIN of the best, when that ensemble scores
 * better on the same backtest forecasts. Without any backtest (a short
 * history), the drift baseline.
 */
export function select(history: History, bt: BacktestResult, models: string[]): Selection {
  const scores = scoreModels(bt, models);
  const best = scores[0];
  if (!best) {
    return {
      chosen: 'naive',
      weights: { naive: 1 },
      scores,
      ensembleScore: null,
      ensembleRows: [],
      reason:
        bt.plan.byHorizon.size === 0
          ? 'The history is too short for any backtest, so no model can be shown to beat the drift baseline; the projection is the drift baseline itself and is unvalidated.'
          : 'No model completed every backtest; the projection falls back to the drift baseline.',
    };
  }
  const relative = best.measure === 'relmae';
  const naive = scores.find((s) => s.model === 'naive');
  const members = scores.filter(
    (s) =>
      s.score <= best.score * ENSEMBLE_WITHIN && (!naive || s.model === best.model || s.score < naive.score),
  );
  let ensembleRows: BacktestRow[] = [];
  let ensembleScore: number | null = null;
  let weights: Record<string, number> = { [best.model]: 1 };
  let tried: Record<string, number> | undefined;
  if (members.length > 1) {
    const raw = members.map((s) => (s.score > 0 ? 1 / s.score : 1e9));
    const sum = raw.reduce((a, b) => a + b, 0);
    const w: Record<string, number> = {};
    members.forEach((s, i) => {
      w[s.model] = (raw[i] as number) / sum;
    });
    tried = w;
    for (const [h, origins] of bt.plan.byHorizon) {
      for (const len of origins) {
        const parts = members.map((s) => ({
          band: bt.paths.get(s.model)?.get(len),
          weight: w[s.model] as number,
        }));
        if (parts.some((p) => !p.band)) continue;
        const band = combineBands(parts as { band: Band; weight: number }[]);
        ensembleRows.push(scorePath('ensemble', history, len, band, h));
      }
    }
    ensembleScore = scoreRows(ensembleRows, relative ? baselineOf(bt) : undefined)?.score ?? null;
    if (ensembleScore !== null && ensembleScore < best.score) weights = w;
  } else {
    ensembleRows = [];
  }
  const isEnsemble = Object.keys(weights).length > 1;
  const what = relative
    ? 'error relative to the drift baseline (geometric mean over every backtest forecast of its mean absolute error divided by the baseline’s; below 1 beats the baseline)'
    : 'mean absolute error';
  const parts: string[] = [
    `The models were ranked by their backtest ${what}: ${scores.map((s) => `${s.model} ${fmt(s.score)}`).join(', ')} (${best.forecasts} backtest forecasts each, horizons ${best.horizons.join(', ')} days).`,
  ];
  if (isEnsemble && ensembleScore !== null) {
    parts.push(
      `An average of ${members.map((s) => `${s.model} (weight ${(weights[s.model] ?? 0).toFixed(2)})`).join(', ')}, weighted by the inverse of their scores, scored ${fmt(ensembleScore)}, better than ${best.model} alone, so the projection is that ensemble.`,
    );
  } else {
    parts.push(`The projection is the best of them, ${best.model}.`);
    if (tried && ensembleScore !== null) {
      parts.push(
        `An inverse-score weighted average of ${Object.keys(tried).join(', ')} scored ${fmt(ensembleScore)}, no better, so it was not used.`,
      );
    }
  }
  const chosenScore = isEnsemble ? (ensembleScore as number) : best.score;
  if (best.model === 'naive' && !isEnsemble) {
    parts.push(
      'No model beat the drift baseline in the backtests, so the projection is the baseline itself.',
    );
  } else if (naive && relative) {
    parts.push(
      `On the same backtest forecasts its error was ${(100 * chosenScore).toFixed(0)}% of the drift baseline’s (geometric mean).`,
    );
  } else if (naive) {
    parts.push(`The drift baseline scored ${fmt(naive.score)}.`);
  }
  return {
    chosen: isEnsemble ? 'ensemble' : best.model,
    weights,
    scores,
    ensembleScore,
    ensembleRows,
    reason: parts.join(' '),
  };
}
