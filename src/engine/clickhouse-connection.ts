import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { UsageError } from '../util/errors.js';

/** Query-level ClickHouse settings. */
export type Settings = Record<string, string | number>;

/** A result in ClickHouse's JSON format: column names and types, rows as objects. */
export interface JsonResult {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
}

/**
 * One ClickHouse server, as the engine and the load step use it. Rows never
 * travel through JavaScript one by one: data goes in and out as files of
 * bytes streamed to and from the server. The production implementation speaks
 * HTTP (`@clickhouse/client`); the tests add an in-process one (chdb).
 */
export interface ClickHouseConnection {
  /** The server's URL without credentials, for messages. */
  readonly label: string;
  /** Runs a statement that returns nothing (DDL, INSERT ... SELECT). */
  command(sql: string, settings?: Settings): Promise<void>;
  /** Runs a query whose result is small. 64-bit integers come back as strings. */
  json(sql: string, settings?: Settings): Promise<JsonResult>;
  /** Streams a file's bytes into `INSERT INTO table FORMAT format`. */
  insertFile(table: string, path: string, format: 'CSV' | 'CSVWithNames', settings?: Settings): Promise<void>;
  /** Streams the result of `sql` in CSV into a file. */
  exportCsv(sql: string, path: string, settings?: Settings): Promise<void>;
  /** The same server with another current database (the one bare table names mean). */
  withDatabase(database: string): ClickHouseConnection;
  close(): Promise<void>;
}

/** ClickHouse identifiers the tool creates or is given (database names). */
export function checkIdentifier(what: string, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new UsageError(`${what} '${name}' is not a plain identifier (letters, digits, underscores)`);
  return name;
}

/** A ClickHouse string literal. */
export function chString(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The URL without user and password. */
function safeLabel(url: URL): string {
  const u = new URL(url.href);
  u.username = '';
  u.password = '';
  u.pathname = '';
  u.search = '';
  return u.href.replace(/\/$/, '');
}

/** Parses an `http(s)://[user:password@]host:port` URL; a path names no database here. */
export function parseServerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url '${text}' is not a URL (expected http://host:8123)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--url '${text}': only http:// and https:// are supported`);
  return url;
}

/** Long analytical statements run for minutes on a big export; the default 30 s would cut them. */
const REQUEST_TIMEOUT_MS = 6 * 3600 * 1000;

/** First line of a server error, without ClickHouse 18's `e.what()` tail. */
function serverMessage(e: unknown): string {
  const msg = String((e as Error)?.message ?? e);
  return (msg.split('\n')[0] ?? msg).replace(/, e\.what\(\) = .*$/, '').trim();
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

/** A ClickHouse server over HTTP, through `@clickhouse/client`. */
export class HttpConnection implements ClickHouseConnection {
  readonly label: string;
  private readonly client: ClickHouseClient;

  constructor(
    private readonly url: URL,
    database?: string,
  ) {
    this.label = safeLabel(url);
    this.client = createClient({
      url: `${url.protocol}//${url.host}`,
      username: url.username ? decodeURIComponent(url.username) : 'default',
      password: url.password ? decodeURIComponent(url.password) : '',
      database,
      request_timeout: REQUEST_TIMEOUT_MS,
      application: 'fleetpulse',
      // Failures reach the caller as errors; the client's advice on load
      // balancers and progress headers would only be noise on stderr.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  static fromUrl(text: string): HttpConnection {
    return new HttpConnection(parseServerUrl(text));
  }

  withDatabase(database: string): ClickHouseConnection {
    return new HttpConnection(this.url, database);
  }

  async command(sql: string, settings?: Settings): Promise<void> {
    await this.call(() => this.client.command({ query: sql, clickhouse_settings: settings }));
  }

  async json(sql: string, settings?: Settings): Promise<JsonResult> {
    return this.call(async () => {
      const rs = await this.client.query({
        query: sql,
        format: 'JSON',
        clickhouse_settings: { output_format_json_quote_64bit_integers: 1, ...settings },
      });
      const body = (await rs.json()) as unknown as JsonResult;
      return { meta: body.meta, data: body.data };
    });
  }

  async insertFile(
    table: string,
    path: string,
    format: 'CSV' | 'CSVWithNames',
    settings?: Settings,
  ): Promise<void> {
    await this.call(() =>
      this.client.insert({ table, values: createReadStream(path), format, clickhouse_settings: settings }),
    );
  }

  async exportCsv(sql: string, path: string, settings?: Settings): Promise<void> {
    await this.call(async () => {
      // wait_end_of_query: an error half-way would otherwise arrive as text
      // appended to a 200 response; with it, the server buffers the result
      // (spilling to its disk) and reports the error as an error.
      const r = await this.client.exec({
        query: `${sql}\nFORMAT CSV`,
        clickhouse_settings: { wait_end_of_query: 1, ...settings },
      });
      await pipeline(r.stream, createWriteStream(path));
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException)?.code;
      if (code && NETWORK_CODES.has(code))
        throw new UsageError(`cannot reach ClickHouse at ${this.label} (${code})`);
      throw new Error(`ClickHouse at ${this.label}: ${serverMessage(e)}`);
    }
  }
}
