import type { Command } from 'commander';
import { analyze } from '../../pipeline/analyze.js';
import { parseCount, parseDay } from '../options.js';

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('repair the connectivity export and write the daily and rolling 28-day online-device counts')
    .requiredOption('--events <file>', 'connectivity_events.csv (or .csv.gz), with or without a header row')
    .requiredOption('--servers <file>', 'servers.csv (or .csv.gz), with or without a header row')
    .requiredOption('--out <dir>', 'output folder (created if missing)')
    .option(
      '--as-of <date>',
      'end of the observation window (YYYY-MM-DD, end of that UTC day); later events are left out',
      parseDay,
    )
    .option(
      '--max-rejects <n>',
      'go on past up to N bad lines, listed in rejects.csv (default: stop at the first)',
      parseCount,
    )
    .option('--quiet', 'print nothing but errors')
    .action(
      async (o: {
        events: string;
        servers: string;
        out: string;
        asOf?: number;
        maxRejects?: number;
        quiet?: boolean;
      }) => {
        const r = await analyze({
          events: o.events,
          servers: o.servers,
          out: o.out,
          asOfDay: o.asOf,
          maxRejects: o.maxRejects,
          quiet: o.quiet,
        });
        if (!o.quiet) process.stdout.write(`${r.out}\n`);
      },
    );
}
