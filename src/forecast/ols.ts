/** Ordinary least squares for the small regressions of the models (a handful of columns). */

export interface OlsFit {
  beta: number[];
  /** (X'X)^-1, so that Var(beta) = sigma2 * xtxInv under independent errors. */
  xtxInv: number[][];
  residuals: number[];
  /** Residual variance with n - p degrees of freedom (0 when n <= p). */
  sigma2: number;
  /** Lag-1 autocorrelation of the residuals (0 when undefined), clamped to [0, 0.99]. */
  rho: number;
}

/** Inverse of a small symmetric positive (semi-)definite matrix, with a tiny ridge when singular. */
export function invert(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]?.[c] ?? 0) > Math.abs(m[piv]?.[c] ?? 0)) piv = r;
    [m[c], m[piv]] = [m[piv] as number[], m[c] as number[]];
    const row = m[c] as number[];
    let p = row[c] as number;
    if (Math.abs(p) < 1e-12) {
      // A column that carries no information (e.g. a weekday absent from a short history).
      row[c] = p = 1e-12;
    }
    for (let k = 0; k < 2 * n; k++) row[k] = (row[k] as number) / p;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const other = m[r] as number[];
      const f = other[c] as number;
      if (f === 0) continue;
      for (let k = 0; k < 2 * n; k++) other[k] = (other[k] as number) - f * (row[k] as number);
    }
  }
  return m.map((row) => row.slice(n));
}

/** Fits y = X beta by least squares; X is given row by row. */
export function ols(x: number[][], y: number[]): OlsFit {
  const p = x[0]?.length ?? 0;
  const xtx = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const xty = new Array<number>(p).fill(0);
  for (let i = 0; i < y.length; i++) {
    const row = x[i] as number[];
    for (let a = 0; a < p; a++) {
      const ra = row[a] as number;
      if (ra === 0) continue;
      xty[a] = (xty[a] as number) + ra * (y[i] as number);
      const xa = xtx[a] as number[];
      for (let b = 0; b < p; b++) xa[b] = (xa[b] as number) + ra * (row[b] as number);
    }
  }
  const xtxInv = invert(xtx);
  const beta = xtxInv.map((r) => r.reduce((s, v, j) => s + v * (xty[j] as number), 0));
  const residuals = y.map((v, i) => v - dot(x[i] as number[], beta));
  const sse = residuals.reduce((s, r) => s + r * r, 0);
  const sigma2 = y.length > p ? sse / (y.length - p) : 0;
  return { beta, xtxInv, residuals, sigma2, rho: lag1(residuals) };
}

export function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** x' A x for a small symmetric A. */
export function quad(a: number[][], x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] as number) * dot(a[i] as number[], x);
  return s;
}

/** Lag-1 autocorrelation, clamped to [0, 0.99] (negative values do not shrink intervals). */
export function lag1(r: number[]): number {
  if (r.length < 3) return 0;
  const mean = r.reduce((s, v) => s + v, 0) / r.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < r.length; i++) {
    const d = (r[i] as number) - mean;
    den += d * d;
    if (i > 0) num += d * ((r[i - 1] as number) - mean);
  }
  if (den === 0) return 0;
  return Math.min(0.99, Math.max(0, num / den));
}
