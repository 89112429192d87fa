import { type Command, Option } from 'commander';
import { BILLING_BASES, type BillingBasis } from '../../insights/pricing.js';

export function registerInsights(program: Command): void {
  program
    .command('insights')
    .description(
      'revenue by fleet size and plan, revenue projection, sales leads, cohorts and data checks from a run folder',
    )
    .requiredOption(
      '--in <dir>',
      'run folder written by fleetpulse analyze (and forecast); the outputs go there too',
    )
    .option('--pricing <file>', 'plan table (JSON) to use instead of the shipped pricing/plans-2018.json')
    .addOption(
      new Option(
        '--billing <basis>',
        "monthly billable devices: the daily online count's max, mean or p95",
      ).choices(BILLING_BASES as string[]),
    )
    .option('--no-rule-sensitivity', 'skip re-running the clean view with the rule-4 variant')
    .option('--quiet', 'print nothing but errors')
    .action(
      async (o: {
        in: string;
        pricing?: string;
        billing?: BillingBasis;
        ruleSensitivity: boolean;
        quiet?: boolean;
      }) => {
        const { insights } = await import('../../insights/run.js');
        const r = await insights({
          inDir: o.in,
          pricingFile: o.pricing,
          billing: o.billing,
          ruleSensitivity: o.ruleSensitivity,
          quiet: o.quiet,
        });
        if (!o.quiet) process.stdout.write(`${r.out}\n`);
      },
    );
}
