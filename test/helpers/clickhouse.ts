/**
 * The ClickHouse engines under test:
 * - `chdb`: the modern dialect (ClickHouse 26 embedded in this process by the
 *   npm package chdb, a dev dependency), one server;
 * - `cluster`: two Debian `clickhouse-server` 18.16 processes on 127.0.0.1
 *   forming a two-shard cluster, started once per test process and stopped
 *   when it ends (skipped, and said so, where the server is not installed).
 *
 * Both run the production ClickHouseEngine and the real load step: a test
 * engine given files by analyze() loads them first (`fleetpulse load`'s code,
 * with analyze's bad-input policy), then analyzes the loaded export.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChdbResult, Session } from 'chdb';
import { ClickHouseEngine } from '../../src/engine/clickhouse.js';
import type { ClickHouseTarget } from '../../src/engine/clickhouse-cluster.js';
import type { ClickHouseConnection, JsonResult, Settings } from '../../src/engine/clickhouse-connection.js';
import { HttpConnection } from '../../src/engine/clickhouse-connection.js';
import {
  CLICKHOUSE_SERVER,
  clickHouseServerAvailable,
  type LocalCluster,
  startLocalCluster,
} from '../../src/engine/clickhouse-local-cluster.js';
import { DuckDbEngine } from '../../src/engine/duckdb.js';
import type { Engine, ProgressSink, Row } from '../../src/engine/engine.js';
import type { Model, ModelParams } from '../../src/engine/models.js';
import type { InputFile } from '../../src/ingest/input-file.js';
import { load } from '../../src/load/load.js';
import type { LoadedInputs, LoadedInputsRequest } from '../../src/repair/clean-view.js';

// ---- chdb: ClickHouse in this process ----

let session: Session | undefined;

/** One chdb session per process (libchdb binds one data folder per process). */
function chdbSession(): Session {
  session ??= new Session(undefined, { connectionArgs: ['--output_format_json_quote_64bit_integers=1'] });
  return session;
}

/**
 * A ClickHouseConnection over chdb's in-process session: the same SQL, files
 * of bytes in and out, no HTTP. Each statement names its current database
 * (the session is shared).
 */
export class ChdbConnection implements ClickHouseConnection {
  readonly label = 'chdb (ClickHouse in process)';
  constructor(private readonly database = 'default') {}

  withDatabase(database: string): ClickHouseConnection {
    return new ChdbConnection(database);
  }

  private async run(sql: string, format: string, settings?: Settings): Promise<ChdbResult> {
    const set = Object.entries(settings ?? {})
      .filter(([k]) => k !== 'wait_end_of_query' && k !== 'insert_distributed_sync')
      .map(([k, v]) => `SET ${k} = ${typeof v === 'number' ? v : `'${v}'`}; `)
      .join('');
    try {
      return await chdbSession().queryAsync(`USE ${this.database}; ${set}${sql}`, { format });
    } catch (e) {
      throw new Error(`ClickHouse at ${this.label}: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  async command(sql: string, settings?: Settings): Promise<void> {
    await this.run(sql, 'TSV', settings);
  }

  async json(sql: string, settings?: Settings): Promise<JsonResult> {
    const body = (await this.run(sql, 'JSON', settings)).json<JsonResult>();
    return { meta: body.meta, data: body.data };
  }

  async insertFile(table: string, path: string, format: 'CSV' | 'CSVWithNames'): Promise<void> {
    await chdbSession().insert({ table, values: readFileSync(path), format });
  }

  async exportCsv(sql: string, path: string, settings?: Settings): Promise<void> {
    writeFileSync(path, (await this.run(sql, 'CSV', settings)).bytes());
  }

  async close(): Promise<void> {}
}

/** A fresh database name, so that engines sharing a server never collide. */
export function freshDatabase(prefix = 'fp_test'): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export function chdbTarget(database = freshDatabase()): ClickHouseTarget {
  return { urls: ['chdb:'], database, connect: () => new ChdbConnection() };
}

// ---- the two-shard cluster of Debian clickhouse-server processes ----

export const CLUSTER_AVAILABLE = clickHouseServerAvailable();
export const CLUSTER_SKIP_REASON = `${CLICKHOUSE_SERVER} is not installed (apt-get install clickhouse-server): the ClickHouse cluster tests are skipped`;

let cluster: Promise<LocalCluster> | undefined;

/** The process's two-shard cluster, started on first use; its servers end with the process. */
export function testCluster(): Promise<LocalCluster> {
  cluster ??= startLocalCluster({ shards: 2, cluster: 'fp_test', maxMemoryUsage: 2_000_000_000 });
  return cluster;
}

export async function clusterTarget(database = freshDatabase()): Promise<ClickHouseTarget> {
  const c = await testCluster();
  return { urls: c.urls, cluster: c.cluster, database };
}

/** Drops a test database on every node of the target. */
export async function dropDatabase(target: ClickHouseTarget): Promise<void> {
  const connect = target.connect ?? ((u: string) => HttpConnection.fromUrl(u));
  await Promise.all(
    target.urls.map(async (url) => {
      const c = connect(url);
      try {
        await c.command(`DROP DATABASE IF EXISTS ${target.database}`);
      } finally {
        await c.close();
      }
    }),
  );
}

// ---- engines for the SPEC tests: load the files analyze() is given, then analyze ----

/**
 * The ClickHouse engine as the SPEC tests drive it: analyze() hands it the
 * files; it loads them with the load step (analyze's bad-input policy, its
 * rejects path), then analyzes what was loaded. The database is the test's
 * own, dropped at close().
 */
export class LoadingClickHouseEngine implements Engine {
  readonly dialect = 'clickhouse';
  readonly loaded: LoadedInputs;

  private constructor(
    private readonly inner: ClickHouseEngine,
    private readonly target: ClickHouseTarget,
  ) {
    const inner_ = inner.loaded;
    this.loaded = {
      inputs: (request) => this.loadThenDescribe(request),
      buildStaging: () => inner_.buildStaging(),
      buildTransitions: (asOfDay, progress) => inner_.buildTransitions(asOfDay, progress),
    };
  }

  static async open(target: ClickHouseTarget): Promise<LoadingClickHouseEngine> {
    return new LoadingClickHouseEngine(await ClickHouseEngine.open(target), target);
  }

  private async loadThenDescribe(r: LoadedInputsRequest): Promise<{ events: InputFile; servers: InputFile }> {
    if (r.events === undefined || r.servers === undefined) throw new Error('test bug: no files to load');
    await load(this.target, {
      events: r.events,
      servers: r.servers,
      maxRejects: r.maxRejects,
      rejectsPath: r.rejectsPath,
      quiet: true,
    });
    return this.inner.loaded.inputs({ rejectsPath: r.rejectsPath });
  }

  inputParams(file: InputFile): ModelParams {
    return this.inner.inputParams(file);
  }
  build(model: Model, params: ModelParams, progress?: ProgressSink): Promise<void> {
    return this.inner.build(model, params, progress);
  }
  drop(name: string): Promise<void> {
    return this.inner.drop(name);
  }
  query(sql: string): Promise<Row[]> {
    return this.inner.query(sql);
  }
  writeCsv(sqlOrTable: string, path: string): Promise<void> {
    return this.inner.writeCsv(sqlOrTable, path);
  }
  writeParquet(sqlOrTable: string, path: string): Promise<void> {
    return this.inner.writeParquet(sqlOrTable, path);
  }
  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      await dropDatabase(this.target);
    }
  }
}

// ---- comparing two analyze output folders ----

/**
 * The differences between two analyze output folders, file by file: CSV files
 * byte for byte, quality.json as data (but the engine's name), Parquet by
 * schema and rows (as a set). Empty when they agree.
 */
export async function compareOutputs(a: string, b: string): Promise<string[]> {
  const diffs: string[] = [];
  const names = (d: string) =>
    readdirSync(d)
      .filter((n) => !n.startsWith('.'))
      .sort();
  if (names(a).join() !== names(b).join())
    diffs.push(`files: ${names(a).join(' ')} vs ${names(b).join(' ')}`);
  for (const n of names(a)) {
    if (!existsSync(join(b, n))) continue;
    if (n.endsWith('.csv')) {
      if (readFileSync(join(a, n), 'utf8') !== readFileSync(join(b, n), 'utf8')) diffs.push(`${n} differs`);
    } else if (n === 'quality.json') {
      const q = (d: string) => {
        const j = JSON.parse(readFileSync(join(d, n), 'utf8'));
        delete j.tool.engine;
        return JSON.stringify(j);
      };
      if (q(a) !== q(b)) diffs.push(`${n} differs:\n${q(a)}\n${q(b)}`);
    } else if (n.endsWith('.parquet')) {
      const [x, y] = await Promise.all([parquetDigest(join(a, n)), parquetDigest(join(b, n))]);
      if (x !== y) diffs.push(`${n} differs:\n${x}\n${y}`);
    } else diffs.push(`${n}: no comparison for this kind of file`);
  }
  return diffs;
}

/** Schema, row count and a hash of the rows (in no particular order: device_days.parquet has none). */
async function parquetDigest(path: string): Promise<string> {
  const duck = await DuckDbEngine.open({ threads: 1 });
  try {
    const p = `'${path.replaceAll("'", "''")}'`;
    const schema = await duck.query(
      `select column_name, column_type from (describe select * from read_parquet(${p}))`,
    );
    const [r] = await duck.query(
      `select count(*) as n, md5(string_agg(cast(t as varchar), ';' order by cast(t as varchar))) as h
       from read_parquet(${p}) as t`,
    );
    return `${schema.map((s) => `${s.column_name} ${s.column_type}`).join(', ')}; ${r?.n} rows; ${r?.h}`;
  } finally {
    await duck.close();
  }
}
