import type { Command } from 'commander';
import { parseCount, parseDay } from '../options.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('every step on an export: analyze, forecast, insights, report; prints the report path')
    .requiredOption('--events <file>', 'connectivity_events.csv (or .csv.gz)')
    .requiredOption('--servers <file>', 'servers.csv (or .csv.gz)')
    .requiredOption('--out <dir>', 'run folder (created if missing)')
    .option('--as-of <date>', 'end of the observation window (YYYY-MM-DD)', parseDay)
    .option('--max-rejects <n>', 'go on past up to N bad lines, listed in rejects.csv', parseCount)
    .option('--quiet', 'print nothing but errors and the report path')
    .action(
      async (o: {
        events: string;
        servers: string;
        out: string;
        asOf?: number;
        maxRejects?: number;
        quiet?: boolean;
      }) => {
        // Loaded here, not at start-up: the other commands stay quick to start.
        const { runAll } = await import('../../pipeline/run-all.js');
        const report = await runAll({
          events: o.events,
          servers: o.servers,
          out: o.out,
          asOfDay: o.asOf,
          maxRejects: o.maxRejects,
          quiet: o.quiet,
        });
        process.stdout.write(`${report}\n`);
      },
    );
}
