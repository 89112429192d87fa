import { type Command, Option } from 'commander';
import { DEFAULT_UNTIL, type SeriesKind } from '../../forecast/types.js';
import { parseDay } from '../options.js';

export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description(
      'project the total of online devices: backtest several models on the run folder, choose by the backtests, write forecast.csv, forecast_models.csv, backtest.csv, forecast.json',
    )
    .requiredOption(
      '--in <dir>',
      'run folder written by fleetpulse analyze (daily_online.csv, rolling28_online.csv, device_days.parquet)',
    )
    .option('--until <date>', `last day to project, YYYY-MM-DD (default ${DEFAULT_UNTIL})`, parseDay)
    .addOption(
      new Option(
        '--series <kind>',
        'the total to project: daily (daily_online.csv) or rolling28 (rolling28_online.csv)',
      )
        .choices(['daily', 'rolling28'])
        .default('daily'),
    )
    .option(
      '--score-against <file>',
      'a daily_online.csv-shaped file of what really happened after the history: also writes forecast_score.json',
    )
    .option('--quiet', 'print nothing but errors')
    .action(
      async (o: {
        in: string;
        until?: number;
        series: SeriesKind;
        scoreAgainst?: string;
        quiet?: boolean;
      }) => {
        const { forecast } = await import('../../forecast/forecast.js');
        const r = await forecast({
          inDir: o.in,
          until: o.until,
          series: o.series,
          scoreAgainst: o.scoreAgainst,
          quiet: o.quiet,
        });
        if (!o.quiet) process.stdout.write(`${r.dir}\n`);
      },
    );
}
