import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseCluster, type ClickHouseTarget, DEFAULT_DATABASE } from '../engine/clickhouse-cluster.js';
import { type ClickHouseConnection, checkIdentifier, chString } from '../engine/clickhouse-connection.js';
import {
  EVENTS_COLUMNS,
  INFO_COLUMNS,
  infoCsvLine,
  LOADED,
  REJECTS_COLUMNS,
  SERVERS_COLUMNS,
  SHARDING_KEY,
} from '../engine/clickhouse-schema.js';
import { DuckDbEngine } from '../engine/duckdb.js';
import { inspectInput } from '../ingest/input-file.js';
import { createProgress, type Progress } from '../util/progress.js';
import { VERSION } from '../version.js';
import { type CheckedExport, checkExport } from './check.js';

export interface LoadOptions {
  events: string;
  servers: string;
  /** Tolerate up to this many rejected lines (undefined: stop at the first), as analyze does. */
  maxRejects?: number;
  /** Where rejects.csv is written when maxRejects is given. */
  rejectsPath: string;
  quiet?: boolean;
  progress?: Progress;
}

export interface LoadResult {
  database: string;
  /** The server or cluster, for messages. */
  where: string;
  events: number;
  servers: number;
  rejected: { events: number; servers: number };
  rejectsFile?: string;
  /** An earlier export in the database was replaced. */
  replaced: boolean;
}

/** DuckDB's memory while it checks the files: beyond it, it spills to disk, so memory does not grow with the file. */
const CHECK_MEMORY_LIMIT = '256MB';

/** The loaded tables that are renamed into place together. */
const SWAPPED = [LOADED.eventsLocal, LOADED.servers, LOADED.info, LOADED.rejects];
const loading = (t: string) => `${t}__loading`;
const old = (t: string) => `${t}__old`;

/**
 * `fleetpulse load`: checks the export exactly as `analyze` does (same rules,
 * messages, exit codes and rejects file), then streams the typed rows into a
 * ClickHouse database: events into a MergeTree table on every shard through a
 * Distributed table sharded by device, servers.csv whole to every node.
 *
 * Loading replaces the database's export as a whole: everything goes into
 * fresh tables first, and only a complete, counted load is renamed into
 * place, so loading the same export twice leaves one copy, and a failed load
 * leaves the previous one untouched.
 */
export async function load(target: ClickHouseTarget, opts: LoadOptions): Promise<LoadResult> {
  const progress = opts.progress ?? createProgress({ quiet: opts.quiet });
  const database = checkIdentifier('--database', target.database ?? DEFAULT_DATABASE);
  const [events, servers] = await Promise.all([
    inspectInput(opts.events, 'timestamp'),
    inspectInput(opts.servers, 'id'),
  ]);
  // Reach the servers before reading a large file: a wrong --url fails fast.
  const cluster = await ClickHouseCluster.connect(target);
  const dir = mkdtempSync(join(tmpdir(), 'fleetpulse-load-'));
  try {
    const checked = await withDuckDb((duck) =>
      checkExport(
        duck,
        { events, servers },
        { maxRejects: opts.maxRejects, rejectsPath: opts.rejectsPath },
        dir,
        progress,
      ),
    );
    const replaced = await writeTables(cluster, database, checked, dir, progress);
    return {
      database,
      where: cluster.describe(),
      events: checked.eventRows,
      servers: checked.serverRows,
      rejected: { events: checked.rejected.events, servers: checked.rejected.servers },
      rejectsFile: checked.rejected.rejectsFile,
      replaced,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await cluster.close();
  }
}

async function withDuckDb<T>(work: (duck: DuckDbEngine) => Promise<T>): Promise<T> {
  const duck = await DuckDbEngine.open({ memoryLimit: CHECK_MEMORY_LIMIT });
  try {
    return await work(duck);
  } finally {
    await duck.close();
  }
}

async function writeTables(
  cluster: ClickHouseCluster,
  db: string,
  x: CheckedExport,
  dir: string,
  progress: Progress,
): Promise<boolean> {
  const t = (name: string) => `${db}.${name}`;
  const info = join(dir, 'load_info.csv');
  writeFileSync(
    info,
    `${infoCsvLine({
      loadedAt: new Date().toISOString(),
      toolVersion: VERSION,
      cluster: cluster.name ?? '',
      shards: cluster.shardCount,
      events: x.events,
      eventsRows: x.eventRows,
      eventsRejected: x.rejected.events,
      eventsBlank: x.blankLines,
      widest: x.widest,
      maxUserId: x.maxUserId,
      servers: x.servers,
      serversRows: x.serverRows,
      serversRejected: x.rejected.servers,
    })}\n`,
  );

  await progress.stage(`create tables in ${db} on ${cluster.describe()}`, () =>
    cluster.everyNode(async (c) => {
      await c.command(`CREATE DATABASE IF NOT EXISTS ${db}`);
      // Leftovers of an interrupted load.
      const tables = await tablesOf(c, db);
      for (const name of [...SWAPPED.map(loading), loading(LOADED.events)])
        if (tables.has(name)) await c.command(`DROP TABLE IF EXISTS ${t(name)}`);
      await c.command(
        `CREATE TABLE ${t(loading(LOADED.eventsLocal))} ${EVENTS_COLUMNS}
         ENGINE = MergeTree ORDER BY (device_id, ts_us, line_no)`,
      );
      await c.command(
        `CREATE TABLE ${t(loading(LOADED.servers))} ${SERVERS_COLUMNS} ENGINE = MergeTree ORDER BY server_id`,
      );
      await c.command(`CREATE TABLE ${t(loading(LOADED.info))} ${INFO_COLUMNS} ENGINE = TinyLog`);
      await c.command(
        `CREATE TABLE ${t(loading(LOADED.rejects))} ${REJECTS_COLUMNS} ENGINE = MergeTree ORDER BY ord`,
      );
      if (cluster.name)
        await c.command(
          `CREATE TABLE ${t(loading(LOADED.events))} AS ${t(loading(LOADED.eventsLocal))}
           ENGINE = Distributed(${chString(cluster.name)}, ${db}, ${loading(LOADED.eventsLocal)}, ${SHARDING_KEY})`,
        );
    }),
  );

  await progress.stage('copy servers.csv and the load record to every node', () =>
    cluster.everyNode(async (c) => {
      await c.insertFile(t(loading(LOADED.servers)), x.files.servers, 'CSVWithNames');
      await c.insertFile(t(loading(LOADED.info)), info, 'CSV');
      if (x.files.rejects) await c.insertFile(t(loading(LOADED.rejects)), x.files.rejects, 'CSVWithNames');
    }),
  );

  await progress.stage(
    `load ${x.eventRows} events${cluster.name ? ` into ${cluster.shardCount} shards by device` : ''}`,
    () =>
      cluster.name
        ? // Through the Distributed table; synchronous, so that the rows are on
          // their shards when the insert returns.
          cluster.entry.insertFile(t(loading(LOADED.events)), x.files.events, 'CSVWithNames', {
            insert_distributed_sync: 1,
          })
        : cluster.entry.insertFile(t(loading(LOADED.eventsLocal)), x.files.events, 'CSVWithNames'),
  );

  return progress.stage('check the counts and switch to the new export', async () => {
    const [n] = (
      await cluster.entry.json(
        `select count() as n from ${cluster.everyShard(db, loading(LOADED.eventsLocal))}`,
      )
    ).data;
    if (Number(n?.n) !== x.eventRows)
      throw new Error(
        `ClickHouse holds ${n?.n} events after the load, not ${x.eventRows}; the old export is kept`,
      );
    await cluster.everyNode(async (c) => {
      const [s] = (await c.json(`select count() as n from ${t(loading(LOADED.servers))}`)).data;
      if (Number(s?.n) !== x.serverRows)
        throw new Error(
          `${c.label} holds ${s?.n} servers after the load, not ${x.serverRows}; the old export is kept`,
        );
    });
    const replaced = await cluster.everyNode((c) => swap(c, cluster, db));
    return replaced.some(Boolean);
  });
}

async function tablesOf(c: ClickHouseConnection, db: string): Promise<Set<string>> {
  const r = await c.json(`select name from system.tables where database = ${chString(db)}`);
  return new Set(r.data.map((row) => String(row.name)));
}

/** Renames the new tables into place on one node; returns whether an export was there before. */
async function swap(c: ClickHouseConnection, cluster: ClickHouseCluster, db: string): Promise<boolean> {
  const t = (name: string) => `${db}.${name}`;
  const existing = await tablesOf(c, db);
  await c.command(`DROP TABLE IF EXISTS ${t(loading(LOADED.events))}`);
  const present = SWAPPED.filter((name) => existing.has(name));
  for (const name of present) await c.command(`DROP TABLE IF EXISTS ${t(old(name))}`);
  if (present.length > 0)
    await c.command(`RENAME TABLE ${present.map((name) => `${t(name)} TO ${t(old(name))}`).join(', ')}`);
  await c.command(`RENAME TABLE ${SWAPPED.map((name) => `${t(loading(name))} TO ${t(name)}`).join(', ')}`);
  await c.command(`DROP TABLE IF EXISTS ${t(LOADED.events)}`);
  await c.command(
    cluster.name
      ? `CREATE TABLE ${t(LOADED.events)} AS ${t(LOADED.eventsLocal)}
         ENGINE = Distributed(${chString(cluster.name)}, ${db}, ${LOADED.eventsLocal}, ${SHARDING_KEY})`
      : `CREATE VIEW ${t(LOADED.events)} AS SELECT * FROM ${t(LOADED.eventsLocal)}`,
  );
  for (const name of present) await c.command(`DROP TABLE IF EXISTS ${t(old(name))}`);
  return existing.has(LOADED.info);
}
