import { type Command, Option } from 'commander';
import type { ClickHouseTarget } from '../../engine/clickhouse-cluster.js';
import { DEFAULT_DATABASE } from '../../engine/clickhouse-cluster.js';
import { UsageError } from '../../util/errors.js';
import { parseCount } from '../options.js';

/** The options naming a ClickHouse server or cluster (load, analyze --engine clickhouse). */
export interface ClickHouseCliOptions {
  url?: string[];
  cluster?: string;
  database?: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Adds --url, --cluster and --database to a command. */
export function addClickHouseOptions(cmd: Command): Command {
  return cmd
    .option(
      '--url <url>',
      "ClickHouse HTTP URL, http[s]://[user:password@]host:port; with --cluster, repeat it for each node (a node not listed is reached at its host with the first URL's port)",
      collect,
    )
    .option('--cluster <name>', "cluster of the servers' remote_servers to shard over (default: one server)")
    .option('--database <name>', `database holding the loaded export (default ${DEFAULT_DATABASE})`);
}

/** The ClickHouse target of parsed options; --url is required. */
export function clickHouseTarget(o: ClickHouseCliOptions): ClickHouseTarget {
  if (!o.url?.length) throw new UsageError("required option '--url <url>' not specified");
  return { urls: o.url, cluster: o.cluster, database: o.database };
}

export function registerLoad(program: Command): void {
  const cmd = program
    .command('load')
    .description(
      'check the connectivity export as analyze does and load it into a ClickHouse database (sharded by device over a cluster); replaces the export loaded before',
    )
    .addOption(
      new Option('--engine <name>', 'warehouse to load into').choices(['clickhouse']).default('clickhouse'),
    );
  addClickHouseOptions(cmd)
    .requiredOption('--events <file>', 'connectivity_events.csv (or .csv.gz), with or without a header row')
    .requiredOption('--servers <file>', 'servers.csv (or .csv.gz), with or without a header row')
    .option(
      '--max-rejects <n>',
      'go on past up to N bad lines, listed in the rejects file (default: stop at the first)',
      parseCount,
    )
    .option('--rejects <file>', 'where the rejected lines go with --max-rejects', 'rejects.csv')
    .option('--quiet', 'print nothing but errors')
    .action(
      async (
        o: ClickHouseCliOptions & {
          events: string;
          servers: string;
          maxRejects?: number;
          rejects: string;
          quiet?: boolean;
        },
      ) => {
        const { load } = await import('../../load/load.js');
        const r = await load(clickHouseTarget(o), {
          events: o.events,
          servers: o.servers,
          maxRejects: o.maxRejects,
          rejectsPath: o.rejects,
          quiet: o.quiet,
        });
        if (!o.quiet) {
          const rejected = r.rejected.events + r.rejected.servers;
          process.stdout.write(
            `${r.replaced ? 'replaced the export in' : 'loaded into'} database ${r.database} on ${r.where}: ` +
              `${r.events} events, ${r.servers} servers` +
              (rejected ? `; ${rejected} rejected lines in ${r.rejectsFile}` : '') +
              '\n',
          );
        }
      },
    );
}
