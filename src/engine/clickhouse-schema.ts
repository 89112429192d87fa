/**
 * The tables `fleetpulse load` writes into the ClickHouse database and the
 * ClickHouse engine reads (models/clickhouse/staging). Plain types only, so
 * that ClickHouse 18.16 (Debian) and current servers share one schema:
 * timestamps are Int64 epoch microseconds, booleans UInt8, no Nullable.
 */
import type { InputFile } from '../ingest/input-file.js';
import type { ClickHouseConnection } from './clickhouse-connection.js';
import { chString } from './clickhouse-connection.js';

/** The loaded tables, by role. */
export const LOADED = {
  /** Events of one shard (MergeTree), on every node. */
  eventsLocal: 'events_local',
  /** All events: a Distributed table sharded by device (a view on a single server), on every node. */
  events: 'events',
  /** servers.csv, whole, on every node. */
  servers: 'servers',
  /** One row describing the load (files, counts), on every node. */
  info: 'load_info',
  /** The rejected lines (with --max-rejects), on every node. */
  rejects: 'load_rejects',
} as const;

/** Columns in the order of the CSV files the load step streams in. */
export const EVENTS_COLUMNS =
  '(ts_us Int64, device_id UInt64, user_id UInt64, server_id UInt64, connected UInt8, line_no UInt64)';
export const SERVERS_COLUMNS =
  '(server_id UInt64, created_us Int64, destroyed_us Int64, has_destroyed UInt8, line_no UInt64)';
export const REJECTS_COLUMNS =
  '(ord UInt64, file String, line_number UInt64, field String, reason String, value String, line String)';
export const INFO_COLUMNS = `(
  loaded_at String, tool_version String, cluster String, shards UInt32,
  events_file String, events_gzip UInt8, events_header UInt8, events_crlf UInt8, events_bytes UInt64,
  events_rows UInt64, events_rejected UInt64, events_blank UInt64, widest UInt64, max_user_id UInt64,
  servers_file String, servers_gzip UInt8, servers_header UInt8, servers_crlf UInt8, servers_bytes UInt64,
  servers_rows UInt64, servers_rejected UInt64
)`;

/**
 * The sharding key: a hash of the device id. Everything SPEC computes per
 * device (pairing, intervals, owners, 28-day runs) then stays on one shard;
 * a user's devices may sit on several (a device changes owner), which is why
 * the key is never the user.
 */
export const SHARDING_KEY = 'intHash64(device_id)';

/** What load_info says about one load. */
export interface LoadInfo {
  loadedAt: string;
  toolVersion: string;
  /** '' for a single server. */
  cluster: string;
  shards: number;
  events: InputFile;
  eventsRows: number;
  eventsRejected: number;
  eventsBlank: number;
  /** The largest id or line number (the embedded engine narrows ids to 32 bits below 2^32). */
  widest: bigint;
  /** The largest user id (the engine packs (user, day) into one UInt64 below 2^32). */
  maxUserId: bigint;
  servers: InputFile;
  serversRows: number;
  serversRejected: number;
}

/** One CSV line of load_info, in INFO_COLUMNS order. */
export function infoCsvLine(i: LoadInfo): string {
  const s = (v: string) => `"${v.replaceAll('"', '""')}"`;
  const b = (v: boolean) => (v ? 1 : 0);
  return [
    s(i.loadedAt),
    s(i.toolVersion),
    s(i.cluster),
    i.shards,
    s(i.events.label),
    b(i.events.gzip),
    b(i.events.header),
    b(i.events.newLine === '\r\n'),
    i.events.sizeBytes,
    i.eventsRows,
    i.eventsRejected,
    i.eventsBlank,
    i.widest.toString(),
    i.maxUserId.toString(),
    s(i.servers.label),
    b(i.servers.gzip),
    b(i.servers.header),
    b(i.servers.newLine === '\r\n'),
    i.servers.sizeBytes,
    i.serversRows,
    i.serversRejected,
  ].join(',');
}

/** Reads load_info, or undefined when the database holds no loaded export. */
export async function readLoadInfo(conn: ClickHouseConnection, db: string): Promise<LoadInfo | undefined> {
  const exists = await conn.json(
    `select count() as n from system.tables where database = ${chString(db)} and name = ${chString(LOADED.info)}`,
  );
  if (Number(exists.data[0]?.n ?? 0) === 0) return undefined;
  const [r] = (await conn.json(`select * from ${db}.${LOADED.info}`)).data;
  if (!r) return undefined;
  const file = (p: 'events' | 'servers'): InputFile => ({
    path: String(r[`${p}_file`]),
    label: String(r[`${p}_file`]),
    gzip: Number(r[`${p}_gzip`]) === 1,
    header: Number(r[`${p}_header`]) === 1,
    newLine: Number(r[`${p}_crlf`]) === 1 ? '\r\n' : '\n',
    sizeBytes: Number(r[`${p}_bytes`]),
  });
  return {
    loadedAt: String(r.loaded_at),
    toolVersion: String(r.tool_version),
    cluster: String(r.cluster),
    shards: Number(r.shards),
    events: file('events'),
    eventsRows: Number(r.events_rows),
    eventsRejected: Number(r.events_rejected),
    eventsBlank: Number(r.events_blank),
    widest: BigInt(String(r.widest)),
    maxUserId: BigInt(String(r.max_user_id)),
    servers: file('servers'),
    serversRows: Number(r.servers_rows),
    serversRejected: Number(r.servers_rejected),
  };
}
