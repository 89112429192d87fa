import { InvalidArgumentError } from 'commander';
import { isoToDay } from '../util/time.js';

/** --as-of YYYY-MM-DD: a real calendar date, returned as a day number. */
export function parseDay(value: string): number {
  const day = isoToDay(value);
  if (day === undefined) throw new InvalidArgumentError(`expected a date YYYY-MM-DD, got '${value}'`);
  return day;
}

/** A whole number >= 0. */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number >= 0, got '${value}'`);
  return Number(value);
}
