import { type Command, InvalidArgumentError } from 'commander';
import {
  DEFAULT_UNTIL_DAY,
  FIRST_DAY,
  GENERATE_DEFAULTS,
  generate,
  MAX_SCALE,
  MAX_UNTIL_DAY,
} from '../../generate/index.js';
import { dayToIso } from '../../util/time.js';
import { parseDay } from '../options.js';

function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError(`expected a whole number >= 0, got '${value}'`);
  return n;
}

function parseScale(value: string): number {
  const n = Number(value);
  if (!/^(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(value) || !(n > 0 && n <= MAX_SCALE))
    throw new InvalidArgumentError(`expected a number > 0 and <= ${MAX_SCALE}, got '${value}'`);
  return n;
}

function parseUntil(value: string): number {
  const day = parseDay(value);
  if (day < FIRST_DAY || day > MAX_UNTIL_DAY)
    throw new InvalidArgumentError(
      `expected a date from ${dayToIso(FIRST_DAY)} to ${dayToIso(MAX_UNTIL_DAY)}, got '${value}'`,
    );
  return day;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description(
      'write a synthetic export shaped like production (connectivity_events.csv, servers.csv) and its ground truth (truth/)',
    )
    .requiredOption('--out <dir>', 'output folder (created if missing)')
    .option('--seed <n>', 'random seed, a whole number', parseSeed, GENERATE_DEFAULTS.seed)
    .option(
      '--scale <f>',
      'multiplies users, devices and events (1: the size of the production sample)',
      parseScale,
      1,
    )
    .option(
      '--until <date>',
      `last day of events, YYYY-MM-DD (default ${dayToIso(DEFAULT_UNTIL_DAY)}; at most ${dayToIso(MAX_UNTIL_DAY)})`,
      parseUntil,
    )
    .option('--no-corruption', 'write the clean event stream (analyze then reproduces truth/ exactly)')
    .option('--quiet', 'print nothing but errors')
    .action(
      async (o: {
        out: string;
        seed: number;
        scale: number;
        until?: number;
        corruption: boolean;
        quiet?: boolean;
      }) => {
        const r = await generate({
          out: o.out,
          seed: o.seed,
          scale: o.scale,
          untilDay: o.until,
          corruption: o.corruption,
          quiet: o.quiet,
        });
        if (!o.quiet) process.stdout.write(`${r.out}\n`);
      },
    );
}
