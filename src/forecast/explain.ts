/**
 * The written explanation of a projection (approach, why, assumptions, what
 * would make it wrong), built from forecast.json and forecast_score.json so
 * that every number in it is the run's own.
 */
import type { BacktestSummary } from './backtest.js';
import type { ForecastReport, ModelReport } from './forecast.js';
import type { ScoreReport } from './score.js';

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmtInt = (n: number) => INT.format(n);
const pct = (ratio: number, digits = 0) => `${(ratio * 100).toFixed(digits)}%`;
const dec = (n: number, digits = 1) => n.toFixed(digits);
/** A log-scale miss m is a factor e^m either way: -(1 - e^-m) below, +(e^m - 1) above. */
const rel = (m: number) => `−${pct(-Math.expm1(-m))}/+${pct(Math.expm1(m))}`;

export interface Explanation {
  headline: string;
  approach: string[];
  why: string[];
  assumptions: string[];
  risks: string[];
}

function model(r: ForecastReport, name: string): ModelReport | undefined {
  return r.models.find((m) => m.name === name);
}

function summaryOf(r: ForecastReport, name: string, horizon: number): BacktestSummary | undefined {
  return r.backtest.summary.find((s) => s.model === name && s.horizon === horizon);
}

/** 'cohort (62%) and prophet (38%)' or 'cohort'. */
export function chosenText(r: ForecastReport): string {
  const w = Object.entries(r.chosen.weights).sort((a, b) => b[1] - a[1]);
  if (w.length <= 1) return `the ${w[0]?.[0] ?? r.chosen.model} model`;
  return `a weighted average of ${w.map(([m, x]) => `${m} (${pct(x)})`).join(', ')}`;
}

function seriesText(r: ForecastReport): string {
  return r.series.kind === 'daily'
    ? 'the number of devices online each day'
    : 'the number of devices online at least once in the 28 days ending each day';
}

export function explain(r: ForecastReport, score?: ScoreReport): Explanation {
  const p = r.projection;
  const last = r.series.lastValue;
  const weights = r.chosen.weights;
  const uses = (m: string) => (weights[m] ?? 0) > 0;
  const change = last > 0 ? (p.yhat - last) / last : null;
  const headline = `Projected ${seriesText(r)} on ${p.endDate}: ${fmtInt(p.yhat)} (80% range ${fmtInt(p.lo80)} to ${fmtInt(p.hi80)}, 95% range ${fmtInt(p.lo95)} to ${fmtInt(p.hi95)}), against ${fmtInt(last)} on ${r.series.lastDate}${change === null ? '' : ` (${change >= 0 ? '+' : '−'}${pct(Math.abs(change), 1)})`}. ${
    r.horizonDays >= 7 && r.series.days >= 7
      ? ` Averaged over the last 7 days, to smooth out the weekly cycle: ${fmtInt(p.lastWeekMean.yhat)} (80% range ${fmtInt(p.lastWeekMean.lo80)} to ${fmtInt(p.lastWeekMean.hi80)}), against ${fmtInt(r.series.lastWeekMean)} in the last observed week.`
      : ''
  } The projection is ${chosenText(r)}.`;

  const ok = r.models.filter((m) => m.status === 'ok');
  const approach: string[] = [
    `${ok.length} models were fitted to ${seriesText(r)}, from ${r.series.firstDate} to ${r.series.lastDate} (${fmtInt(r.series.days)} days): ${ok.map((m) => `${m.name} (${m.label})`).join('; ')}.`,
  ];
  const h = r.backtest.horizons;
  if (h.length) {
    const origins = Object.values(r.backtest.origins);
    const count = new Set(origins.flat()).size;
    approach.push(
      `Each model was backtested: refitted at ${count} past origins (every 30 days over the last year, and older ones where a horizon needs them), each time on the data known on that day only, then compared with what followed at horizons of ${h.join(', ')} days. MAPE is the mean absolute percentage error; MASE the mean absolute error divided by the in-sample error of a same-weekday-last-week forecast (below 1 beats it); coverage the share of days whose actual value fell inside the 80% or 95% range.`,
    );
  }
  const cohort = model(r, 'cohort');
  if (cohort?.status === 'ok' && cohort.params) {
    const c = cohort.params as Record<string, number | number[] | null>;
    const v = (k: string) => Number(c[k] ?? Number.NaN);
    const ratio = c.dailyToRolling28RatioByWeekday as number[] | null;
    approach.push(
      `The cohort model builds the count device by device: of the ${fmtInt(Number(c.activeDevicesAtCutoff))} devices online in the last 28 days, each stays according to the Kaplan-Meier survival curve of all ${fmtInt(Number(c.devicesForSurvival))} devices first seen since the start (median lifetime ${c.medianLifetimeDays === null ? 'beyond the data' : `${fmtInt(Number(c.medianLifetimeDays))} days`}; ${pct(Number(c.survival365))} still active after a year), and new devices arrive at ${dec(Number(v('arrivalsPerDayAtCutoff')))} a day now, on a trend of ${Number(c.arrivalsTrendPerDayPerYear) >= 0 ? '+' : ''}${dec(Number(c.arrivalsTrendPerDayPerYear))} a day per year, each new cohort decaying along the same curve.${ratio ? ` The daily count is the 28-day count times the share of those devices online on that weekday over the last 8 weeks (${pct(Math.min(...ratio))} to ${pct(Math.max(...ratio))}).` : ''}`,
    );
  }

  const why: string[] = [r.chosen.reason];
  const longest = h[h.length - 1];
  const name = r.chosen.model;
  if (longest !== undefined && name !== 'naive') {
    const per = h.map((x) => ({ h: x, s: summaryOf(r, name, x), n: summaryOf(r, 'naive', x) }));
    const line = per
      .filter((p) => p.s?.mape != null && p.n?.mape != null)
      .map(
        (p) =>
          `${p.h} days: ${dec(p.s?.mape as number)}% against ${dec(p.n?.mape as number)}% (${p.s?.origins} origins)`,
      );
    if (line.length) {
      const worse = per
        .filter((p) => (p.s?.mape ?? 0) > (p.n?.mape ?? Number.POSITIVE_INFINITY))
        .map((p) => p.h);
      why.push(
        `Mean absolute percentage error of the projection against the drift baseline, by horizon: ${line.join('; ')}.${
          worse.length
            ? ` It did worse than the baseline at ${worse.join(' and ')} days: the ranking counts every backtest forecast once, and there are fewer of those.`
            : ''
        }`,
      );
    }
  }
  if (longest !== undefined && longest < r.horizonDays) {
    why.push(
      `The projection runs ${r.horizonDays} days, longer than the longest backtested horizon (${longest} days): its last part has not been checked against the past.`,
    );
  }
  const cal = r.chosen.calibration;
  if (cal) {
    const used = cal.buckets.filter((b) => b.days > 0);
    const cov = used
      .map(
        (b) =>
          `${b.rawCoverage80 === null ? '—' : pct(b.rawCoverage80)} at ${b.fromDay}-${b.toDay} days ahead`,
      )
      .join(', ');
    const miss = used.map((b) => `${rel(b.miss80)} at ${b.fromDay}-${b.toDay} days`).join(', ');
    why.push(
      `The ranges are checked against the backtests too. The projection’s own 80% range held the actual value on ${cov}. On 80% of the backtest days the actual value was within ${miss} of the projection made then (95% of them: ${used.map((b) => rel(b.miss95)).join(', ')}), so the reported 80% and 95% ranges reach at least that far on each side (measured on a log scale, and never narrower than the projection’s own range, nor narrower further out than nearer in).${
        r.backtest.worst.length
          ? ` The largest backtest misses: ${r.backtest.worst.map((w) => `${dec(w.mape)}% over ${w.horizon} days from ${w.origin}`).join('; ')}.`
          : ''
      }`,
    );
  }
  if (score) {
    const whole = score.rows.find((x) => x.model === score.chosen && x.horizonDays === score.days);
    const nv = score.rows.find((x) => x.model === 'naive' && x.horizonDays === score.days);
    if (whole) {
      why.push(
        `Against what really happened (${score.days} days, ${score.firstDate} to ${score.lastDate}), the projection missed by ${whole.mape === null ? '—' : `${dec(whole.mape)}%`} on average (MASE ${whole.mase === null ? '—' : dec(whole.mase, 2)})${nv && score.chosen !== 'naive' ? `, the drift baseline by ${nv.mape === null ? '—' : `${dec(nv.mape)}%`} (MASE ${nv.mase === null ? '—' : dec(nv.mase, 2)})` : ''}; its 80% range held ${whole.coverage80 === null ? '—' : pct(whole.coverage80)} of the days and its 95% range ${whole.coverage95 === null ? '—' : pct(whole.coverage95)}. On ${whole.endDate} it said ${fmtInt(whole.endForecast)}; the actual was ${fmtInt(whole.endActual)}.`,
      );
    }
  }

  const assumptions: string[] = [
    'The clean view keeps its meaning: the export is repaired by the same rules, and its corruption (lost connects, unreported disconnects) stays about as frequent as in the history.',
  ];
  if (uses('cohort') && cohort?.params) {
    const c = cohort.params as Record<string, number>;
    const v = (k: string) => Number(c[k] ?? Number.NaN);
    assumptions.push(
      `New devices keep arriving along the straight line of the last ${fmtInt(v('arrivalWindowDays'))} days of activations (${dec(v('arrivalsPerDayAtCutoff'))} a day at the cut-off).`,
      `Devices keep the lifetimes of the past: a new device lives as long as the devices before it did. Where the data has fewer than 30 devices of an age (beyond ${fmtInt(v('survivalReliableToAgeDays'))} days), the curve continues at the average daily hazard of the half year before (${pct(v('tailHazardPerDay'), 2)} a day).`,
      'A device with no online day in the last 28 days is gone, unless it comes back at the rate measured for such devices in the history.',
    );
    if (r.series.kind === 'daily') {
      assumptions.push(
        'The share of the 28-day devices that is online on a given weekday stays at its level of the last 8 weeks.',
      );
    }
  }
  if (uses('loglinear')) {
    const g = model(r, 'loglinear')?.params?.growthPerYear;
    if (typeof g === 'number')
      assumptions.push(`Growth stays at the constant rate of the last year (${pct(g, 1)} a year).`);
  }
  if (uses('prophet')) {
    assumptions.push(
      'The trend continues at its slope since its last detected change; the weekly (and, with two years of data, yearly) pattern repeats as a share of the level.',
    );
  }
  if (uses('mstl')) {
    assumptions.push(
      'The level and trend carry on as exponential smoothing extrapolates them; the weekly pattern repeats.',
    );
  }
  if (uses('naive')) {
    assumptions.push('Tomorrow is today plus the average daily change of the whole history.');
  }

  const risks: string[] = [
    `A step in acquisition: a large customer arriving or leaving with thousands of devices, a sales push or a stop in sales. No model foresees such a step. ${
      r.chosen.calibration
        ? 'The ranges are calibrated on the backtests, so they allow for surprises as large as the history held; a bigger one falls outside them.'
        : 'The ranges come from the day-to-day noise and the uncertainty of the fitted trends; they do not include such one-off jumps.'
    }`,
    'A platform event: an outage, a firmware update or a server migration that changes how often devices connect, or how the export records it.',
    'Newer devices living longer or shorter than the older ones the survival curve is estimated from.',
  ];
  const bt365 = r.backtest.origins['365'];
  if (bt365) {
    risks.push(
      `The 365-day backtest rests on ${bt365.length} origin(s): a year-ahead error measured on so few cases is itself uncertain.`,
    );
  }
  const wideAt = cal?.buckets.find((b) => b.days > 0 && Math.expm1(b.miss80) >= 0.2);
  if (wideAt) {
    risks.push(
      `The ranges are wide (80% range ${rel(wideAt.miss80)} or more from ${wideAt.fromDay} days ahead) because the same method missed by that much in the backtests: the history held changes (steps in the count, a change in how fast it grew) that no model foresaw. If the coming year is calmer, the ranges overstate the uncertainty; if it holds a bigger surprise, they understate it.`,
    );
  }
  risks.push(
    'The models were chosen and weighted on the same backtests they are scored on, so the backtest scores of the chosen projection are slightly optimistic.',
  );
  return { headline, approach, why, assumptions, risks };
}
