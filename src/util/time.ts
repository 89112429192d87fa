/** Microseconds per UTC day. */
export const DAY_US = 86_400_000_000n;

/** 'YYYY-MM-DD' of a day number (days since 1970-01-01). */
export function dayToIso(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** Day number of 'YYYY-MM-DD', or undefined when it is not a real calendar date. */
export function isoToDay(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return undefined;
  return ms / 86_400_000;
}

/** 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) of epoch microseconds. */
export function usToIso(us: bigint): string {
  const ms = us / 1000n;
  const frac = ((us % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const base = new Date(Number(ms)).toISOString().slice(0, 19).replace('T', ' ');
  return `${base}.${frac.toString().padStart(6, '0')}`;
}

/** Floor of epoch microseconds to the day number. */
export function usToDay(us: bigint): number {
  const q = us / DAY_US;
  return Number(us < 0n && q * DAY_US !== us ? q - 1n : q);
}
