import type { Command } from 'commander';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'write a self-contained report.html (charts, headline numbers, data quality, methodology) and charts/*.svg|png from a run folder',
    )
    .requiredOption('--in <dir>', 'run folder written by `fleetpulse analyze` (and later steps)')
    .option('--out <file>', 'where to write the report (default: DIR/report.html)')
    .option('--quiet', 'print nothing but errors')
    .action(async (o: { in: string; out?: string; quiet?: boolean }) => {
      // Loaded when the command runs: vega and friends stay out of every other command's start-up.
      const { writeReport } = await import('../../report/write-report.js');
      const path = await writeReport({ inDir: o.in, outFile: o.out, quiet: o.quiet });
      if (!o.quiet) process.stdout.write(`${path}\n`);
    });
}
