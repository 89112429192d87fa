import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { parseCount } from '../options.js';

function parseScale(value: string): number {
  const n = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(n > 0) || n > 100) {
    throw new InvalidArgumentError(`expected a number > 0 and <= 100, got '${value}'`);
  }
  return n;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'the main job on the built-in synthetic export (production-sized at scale 1): generate it (or reuse it), then analyze, forecast, insights, report; prints the report path',
    )
    .option('--out <dir>', 'folder for the export, its truth and the results', 'demo-out')
    .option(
      '--scale <f>',
      'size of the synthetic export (1 = the production sample, ~9.5M events)',
      parseScale,
      1,
    )
    .option('--seed <n>', 'random seed of the synthetic export', parseCount, 1)
    .option('--quiet', 'print nothing but errors and the report path')
    .action(async (o: { out: string; scale: number; seed: number; quiet?: boolean }) => {
      const { demo } = await import('../../pipeline/run-all.js');
      const report = await demo({ out: o.out, scale: o.scale, seed: o.seed, quiet: o.quiet });
      process.stdout.write(`${report}\n`);
    });
}
