import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InputFile } from '../ingest/input-file.js';
import { type LoadedInputs, type LoadedInputsRequest, type Window, windowOf } from '../repair/clean-view.js';
import { UsageError } from '../util/errors.js';
import { DAY_US } from '../util/time.js';
import { ClickHouseCluster, type ClickHouseTarget, DEFAULT_DATABASE } from './clickhouse-cluster.js';
import { checkIdentifier, type Settings } from './clickhouse-connection.js';
import { type LoadInfo, readLoadInfo } from './clickhouse-schema.js';
import { DuckDbEngine } from './duckdb.js';
import type { Engine, ProgressSink, Row } from './engine.js';
import { loadModel, type Model, type ModelParams, renderSql } from './models.js';

const INT64_MAX = (1n << 63n) - 1n;

/** Settings for the models' statements. */
const BUILD_SETTINGS: Settings = {
  // Large per-device GROUP BYs and sorts spill to disk instead of failing.
  max_bytes_before_external_group_by: 2_000_000_000,
  max_bytes_before_external_sort: 2_000_000_000,
};

/** A ClickHouse type as DuckDB reads it from ClickHouse's CSV. */
function duckType(chType: string): string {
  const t = chType.replace(/^Nullable\((.*)\)$/, '$1').replace(/^LowCardinality\((.*)\)$/, '$1');
  const types: Record<string, string> = {
    UInt8: 'UTINYINT',
    UInt16: 'USMALLINT',
    UInt32: 'UINTEGER',
    UInt64: 'UBIGINT',
    Int8: 'TINYINT',
    Int16: 'SMALLINT',
    Int32: 'INTEGER',
    Int64: 'BIGINT',
    Float32: 'FLOAT',
    Float64: 'DOUBLE',
    String: 'VARCHAR',
  };
  const duck = types[t];
  if (!duck) throw new Error(`cannot write the ClickHouse type ${chType} to a file`);
  return duck;
}

/**
 * A model's `-- file types: col TYPE, ...` line: the type a column must have
 * in the files the engine writes, where no ClickHouse type says it (only
 * DATE, from a day number: ClickHouse's Date stops at 1970..2149).
 */
function fileTypes(model: Model | undefined): Map<string, 'DATE'> {
  const line = model && /^--\s*file types:\s*(.+)$/m.exec(model.sql)?.[1];
  const out = new Map<string, 'DATE'>();
  for (const part of line ? line.split(',') : []) {
    const [col, type] = part.trim().split(/\s+/);
    if (!col || type?.toUpperCase() !== 'DATE')
      throw new Error(`model ${model?.name}: file types supports 'col DATE' only, not '${part.trim()}'`);
    out.set(col, 'DATE');
  }
  return out;
}

const quoteDuck = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * The distributed engine: the same models as the embedded one, in ClickHouse
 * SQL (models/clickhouse), over an export that `fleetpulse load` put into a
 * database, on one server or sharded by device over a cluster.
 *
 * Each model file says where it runs (`-- placement:`): `shards` models
 * (everything per device) are built on every node from that node's rows;
 * `initiator` models combine the shards through `cluster()`, where only
 * (user, day) counts and small counters cross the network. Tables of a run
 * live in a scratch database of their own on every node, dropped at close(),
 * so runs never collide and the loaded export is only read.
 *
 * Outputs (CSV, Parquet) are streamed from ClickHouse as CSV bytes into a
 * temporary file and written by DuckDB, so they are byte for byte what the
 * embedded engine writes.
 */
export class ClickHouseEngine implements Engine {
  readonly dialect = 'clickhouse';
  readonly loaded: LoadedInputs;
  private info: LoadInfo | undefined;
  private intType: 'UInt32' | 'UInt64' = 'UInt64';
  private writer: DuckDbEngine | undefined;
  private tmp: string | undefined;
  private files = 0;
  /** The models built in this run, by name: their placement and `file types`. */
  private readonly built = new Map<string, { model: Model; placement: string }>();

  private constructor(
    /** Connections in the server's default database (DDL of the scratch database). */
    private readonly base: ClickHouseCluster,
    /** The same nodes, with the scratch database current. */
    private readonly nodes: ClickHouseCluster,
    /** The database holding the loaded export. */
    readonly database: string,
    /** This run's tables. */
    readonly scratch: string,
  ) {
    this.loaded = {
      inputs: (request) => this.loadedInputs(request),
      buildStaging: () => this.stageLoaded(),
      buildTransitions: (asOfDay, progress) => this.pairLoaded(asOfDay, progress),
    };
  }

  static async open(target: ClickHouseTarget): Promise<ClickHouseEngine> {
    const database = checkIdentifier('--database', target.database ?? DEFAULT_DATABASE);
    const base = await ClickHouseCluster.connect(target);
    const scratch = `${database}_run_${randomBytes(4).toString('hex')}`;
    try {
      await base.everyNode((c) => c.command(`CREATE DATABASE IF NOT EXISTS ${scratch}`));
    } catch (e) {
      await base.close();
      throw e;
    }
    return new ClickHouseEngine(base, base.withDatabase(scratch), database, scratch);
  }

  /** Where the run happens, for messages. */
  describe(): string {
    return `database ${this.database} on ${this.base.describe()}`;
  }

  inputParams(_file: InputFile): ModelParams {
    throw new UsageError(
      'the ClickHouse engine reads the export `fleetpulse load` put into the database, not files',
    );
  }

  async build(model: Model, params: ModelParams, progress?: ProgressSink): Promise<void> {
    const placement = /^--\s*placement:\s*(shards|initiator)\s*$/m.exec(model.sql)?.[1];
    if (!placement) throw new Error(`model ${model.name} lacks a '-- placement: shards|initiator' line`);
    const name = checkIdentifier('model', model.name);
    const sql = renderSql(model, { ...params, ...this.engineParams(model.sql, params) });
    const create =
      model.materialized === 'view'
        ? `CREATE VIEW ${name} AS\n${sql}`
        : `CREATE TABLE ${name} ENGINE = ${placement === 'shards' ? 'MergeTree ORDER BY tuple()' : 'TinyLog'} AS\n${sql}`;
    const on = placement === 'shards' ? this.nodes.nodes.map((n) => n.conn) : [this.nodes.entry];
    // The scratch database starts empty: only a model built again (rejects) has a table to drop.
    const rebuilt = this.built.has(name);
    await Promise.all(
      on.map(async (c) => {
        if (rebuilt) await c.command(`DROP TABLE IF EXISTS ${name}`);
        await c.command(create, BUILD_SETTINGS);
      }),
    );
    this.built.set(name, { model, placement });
    progress?.(1);
  }

  async drop(name: string): Promise<void> {
    const table = checkIdentifier('table', name);
    await this.nodes.everyNode((c) => c.command(`DROP TABLE IF EXISTS ${table}`));
  }

  async query(sql: string): Promise<Row[]> {
    const r = await this.nodes.entry.json(sql);
    const wide = r.meta.filter((m) => /^(Nullable\()?U?Int(64|128|256)\)?$/.test(m.type)).map((m) => m.name);
    for (const row of r.data) {
      for (const k of wide) if (row[k] !== null && row[k] !== undefined) row[k] = BigInt(String(row[k]));
    }
    return r.data;
  }

  async writeCsv(sqlOrTable: string, path: string): Promise<void> {
    await this.writeVia(sqlOrTable, (select, duck) => duck.writeCsv(select, path));
  }

  async writeParquet(sqlOrTable: string, path: string): Promise<void> {
    await this.writeVia(sqlOrTable, (select, duck) => duck.writeParquet(select, path));
  }

  async close(): Promise<void> {
    try {
      await this.base.everyNode((c) => c.command(`DROP DATABASE IF EXISTS ${this.scratch}`));
    } finally {
      await this.nodes.close();
      await this.base.close();
      await this.writer?.close();
      if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
    }
  }

  /** Parameters every ClickHouse model may use besides the pipeline's. */
  private engineParams(sql: string, params: ModelParams): ModelParams {
    const p: ModelParams = {
      data: { sql: this.database },
      int_type: { sql: this.intType },
      ...this.userDayKey(params),
    };
    // {{ all_<table> }}: the rows of a shards model on every shard.
    for (const m of sql.matchAll(/\{\{\s*all_(\w+)\s*\}\}/g)) {
      const table = m[1] as string;
      p[`all_${table}`] = { sql: this.nodes.everyShard(this.scratch, table) };
    }
    return p;
  }

  /**
   * One grouping key for a (user_id, key_day) pair, and the two halves of a
   * key k: ClickHouse 18.16 groups one UInt64 several times faster than the
   * two columns. When a user id needs more than 32 bits, a tuple (exact, slower).
   */
  private userDayKey(params: ModelParams): ModelParams {
    const firstDay = Number(params.first_day ?? 0);
    if (!this.info || this.info.maxUserId >= 1n << 32n)
      return {
        user_day_key: { sql: 'tuple(user_id, key_day)' },
        key_user: { sql: 'tupleElement(k, 1)' },
        key_day: { sql: 'tupleElement(k, 2)' },
      };
    return {
      user_day_key: {
        sql: `bitOr(bitShiftLeft(toUInt64(user_id), 32), toUInt64(toInt64(key_day) - toInt64(${firstDay})))`,
      },
      key_user: { sql: 'bitShiftRight(k, 32)' },
      key_day: { sql: `toInt32(toInt64(bitAnd(k, 4294967295)) + toInt64(${firstDay}))` },
    };
  }

  /**
   * ClickHouse streams the rows as CSV into a temporary file; DuckDB reads it
   * with the columns' types and writes the output file, exactly as the
   * embedded engine would. DATE columns (a model's `file types`) travel as day
   * numbers.
   */
  private async writeVia(
    sqlOrTable: string,
    write: (select: string, duck: DuckDbEngine) => Promise<void>,
  ): Promise<void> {
    const built = /^\w+$/.test(sqlOrTable) ? this.built.get(sqlOrTable) : undefined;
    // A table of every shard is read from all of them.
    const source = !/^\w+$/.test(sqlOrTable)
      ? `(${sqlOrTable})`
      : built?.placement === 'shards'
        ? this.nodes.everyShard(this.scratch, sqlOrTable)
        : sqlOrTable;
    const dates = fileTypes(built?.model);
    const { meta } = await this.nodes.entry.json(`SELECT * FROM ${source} LIMIT 0`);
    const cols = meta.map((m) => ({ name: m.name, read: duckType(m.type), date: dates.has(m.name) }));
    const csv = join(this.tempDir(), `out-${++this.files}.csv`);
    try {
      await this.nodes.entry.exportCsv(
        `SELECT ${cols.map((c) => `\`${c.name}\``).join(', ')} FROM ${source}`,
        csv,
      );
      const columns = `{${cols.map((c, i) => `'c${i}': '${c.read}'`).join(', ')}}`;
      const reader = `read_csv(${quoteDuck(csv)}, columns = ${columns}, header = false, auto_detect = false,
        delim = ',', quote = '"', escape = '"', new_line = '\\n', nullstr = '\\N', allow_quoted_nulls = false)`;
      const select = cols
        .map((c, i) => {
          const name = `"${c.name.replaceAll('"', '""')}"`;
          return c.date ? `date '1970-01-01' + cast(c${i} as integer) as ${name}` : `c${i} as ${name}`;
        })
        .join(', ');
      this.writer ??= await DuckDbEngine.open();
      await write(`select ${select} from ${reader}`, this.writer);
    } finally {
      rmSync(csv, { force: true });
    }
  }

  private tempDir(): string {
    this.tmp ??= mkdtempSync(join(tmpdir(), 'fleetpulse-clickhouse-'));
    return this.tmp;
  }

  // ---- LoadedInputs: the clean view's first steps over the loaded tables ----

  private requireInfo(): LoadInfo {
    if (!this.info) throw new Error('the loaded export was not read yet (LoadedInputs.inputs first)');
    return this.info;
  }

  private async loadedInputs(
    request: LoadedInputsRequest,
  ): Promise<{ events: InputFile; servers: InputFile }> {
    if (request.events !== undefined || request.servers !== undefined)
      throw new UsageError(
        `the ClickHouse engine analyzes the export loaded into ${this.describe()}; ` +
          'give --events and --servers to `fleetpulse load`',
      );
    const info = await readLoadInfo(this.base.entry, this.database);
    if (!info)
      throw new UsageError(`${this.describe()} holds no loaded export: run \`fleetpulse load\` first`);
    const here = this.base.name ?? '';
    if (info.cluster !== here || info.shards !== this.base.shardCount)
      throw new UsageError(
        `the export in database ${this.database} was loaded ${info.cluster ? `on cluster ${info.cluster} (${info.shards} shards)` : 'on a single server'}; ` +
          `analyze it the same way (${info.cluster ? `--cluster ${info.cluster}` : 'no --cluster'})`,
      );
    this.info = info;
    this.intType = info.widest < 1n << 32n ? 'UInt32' : 'UInt64';
    return { events: info.events, servers: info.servers };
  }

  private async stageLoaded(): Promise<{ rows: number; bad: number }> {
    const info = this.requireInfo();
    for (const name of ['stg_events', 'stg_servers', 'stg_event_lines'])
      await this.build(loadModel(this.dialect, 'staging', name), {});
    return { rows: info.serversRows, bad: info.serversRejected };
  }

  private async pairLoaded(
    asOfDay: number | undefined,
    progress?: ProgressSink,
  ): Promise<{ bad: number; blank: number; window: Window | undefined }> {
    const info = this.requireInfo();
    const asOfEndUs = asOfDay === undefined ? INT64_MAX : (BigInt(asOfDay) + 1n) * DAY_US;
    await this.build(loadModel(this.dialect, 'intermediate', 'int_transitions'), { as_of_end_us: asOfEndUs });
    progress?.(0.9);
    const [b] = await this.query(
      `select count() as rows, min(ts_us) as first_us,
              max(if(has_next = 1 and next_ts_us > ts_us, next_ts_us, ts_us)) as last_us
       from ${this.nodes.everyShard(this.scratch, 'int_transitions')}`,
    );
    progress?.(1);
    const counts = { bad: info.eventsRejected, blank: info.eventsBlank };
    if (Number(b?.rows ?? 0) === 0) return { ...counts, window: undefined };
    return {
      ...counts,
      window: windowOf(BigInt(b?.first_us as bigint), BigInt(b?.last_us as bigint), asOfDay),
    };
  }
}
