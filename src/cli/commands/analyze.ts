import { type Command, Option } from 'commander';
import { UsageError } from '../../util/errors.js';
import { parseCount, parseDay } from '../options.js';
import { addClickHouseOptions, type ClickHouseCliOptions, clickHouseTarget } from './load.js';

export function registerAnalyze(program: Command): void {
  const cmd = program
    .command('analyze')
    .description('repair the connectivity export and write the daily and rolling 28-day online-device counts')
    .option(
      '--events <file>',
      'connectivity_events.csv (or .csv.gz), with or without a header row (required with duckdb)',
    )
    .option(
      '--servers <file>',
      'servers.csv (or .csv.gz), with or without a header row (required with duckdb)',
    )
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
    .addOption(
      new Option(
        '--engine <name>',
        'duckdb: embedded, reads --events/--servers; clickhouse: the export `fleetpulse load` put into ClickHouse (--url)',
      )
        .choices(['duckdb', 'clickhouse'])
        .default('duckdb'),
    );
  addClickHouseOptions(cmd).action(
    async (
      o: ClickHouseCliOptions & {
        events?: string;
        servers?: string;
        out: string;
        asOf?: number;
        maxRejects?: number;
        quiet?: boolean;
        engine: 'duckdb' | 'clickhouse';
      },
    ) => {
      if (o.engine === 'duckdb' && (o.url || o.cluster || o.database))
        throw new UsageError('--url, --cluster and --database go with --engine clickhouse');
      if (o.engine === 'clickhouse' && (o.events !== undefined || o.servers !== undefined))
        throw new UsageError(
          '--engine clickhouse analyzes the export loaded with `fleetpulse load`: give --events and --servers to load',
        );
      // Loaded when the command runs, and the ClickHouse client only for that engine: start-up stays quick.
      const { analyze } = await import('../../pipeline/analyze.js');
      const engine =
        o.engine === 'clickhouse'
          ? await (await import('../../engine/clickhouse.js')).ClickHouseEngine.open(clickHouseTarget(o))
          : undefined;
      try {
        const r = await analyze({
          events: o.events,
          servers: o.servers,
          out: o.out,
          asOfDay: o.asOf,
          maxRejects: o.maxRejects,
          quiet: o.quiet,
          engine,
        });
        if (!o.quiet) process.stdout.write(`${r.out}\n`);
      } finally {
        await engine?.close();
      }
    },
  );
}
