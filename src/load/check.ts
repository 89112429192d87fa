import { join } from 'node:path';
import type { DuckDbEngine } from '../engine/duckdb.js';
import { loadModel } from '../engine/models.js';
import type { InputFile } from '../ingest/input-file.js';
import { enforceRejects, type RejectSummary } from '../ingest/rejects.js';
import { buildStaging, noEvents } from '../repair/clean-view.js';
import { readingFile } from '../util/errors.js';
import type { Progress } from '../util/progress.js';

/** The export after the checks: counts, and the typed rows as CSV files (with a header row). */
export interface CheckedExport {
  events: InputFile;
  servers: InputFile;
  /** Good event lines (loaded). */
  eventRows: number;
  blankLines: number;
  /** The largest id or line number, as the embedded engine computes it to size its ids. */
  widest: bigint;
  /** The largest user id of a good line. */
  maxUserId: bigint;
  serverRows: number;
  rejected: RejectSummary;
  files: {
    /** ts_us, device_id, user_id, server_id, connected, line_no */
    events: string;
    /** server_id, created_us, destroyed_us, has_destroyed, line_no */
    servers: string;
    /** ord, file, line_number, field, reason, value, line (only when lines were rejected) */
    rejects?: string;
  };
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Parses and checks both files with the embedded engine's own staging models
 * (stg_event_lines, stg_events, stg_servers) and bad-input policy
 * (enforceRejects, the rejects model), exactly as `analyze` does: the same
 * rules, messages and rejects file. ClickHouse never parses a timestamp: it
 * receives typed rows (epoch microseconds, line numbers), which DuckDB writes
 * as CSV files into `dir`, streaming, without any row passing through
 * JavaScript.
 */
export async function checkExport(
  duck: DuckDbEngine,
  inputs: { events: InputFile; servers: InputFile },
  policy: { maxRejects?: number; rejectsPath: string },
  dir: string,
  progress: Progress,
): Promise<CheckedExport> {
  const { events, servers } = inputs;
  const srv = await progress.stage(
    `read ${servers.label}`,
    () => readingFile(servers.label, () => buildStaging(duck, events, servers)),
    (r) => `${r.rows} servers${r.bad ? `, ${r.bad} bad lines` : ''}`,
  );
  if (srv.bad > 0 && policy.maxRejects === undefined) {
    await readingFile(events.label, () =>
      enforceRejects(duck, inputs, { events: 0, servers: srv.bad }, undefined, ''),
    );
  }
  const ev = await progress.stage(
    `read and check events from ${events.label}`,
    async (bar) => {
      await readingFile(events.label, () =>
        duck.build(loadModel('duckdb', 'staging', 'stg_events'), {}, bar),
      );
      const [r] = await duck.query(
        `select count(*) filter (where ok) as rows,
                count(*) filter (where not ok and not blank) as bad,
                count(*) filter (where blank) as blank,
                greatest(
                  max(device_id) filter (where ok or blank), max(user_id) filter (where ok or blank),
                  max(server_id) filter (where ok or blank), count(*) filter (where ok or blank) + 1
                ) as widest,
                max(user_id) filter (where ok) as max_user_id
         from stg_events`,
      );
      return {
        rows: Number(r?.rows ?? 0),
        bad: Number(r?.bad ?? 0),
        blank: Number(r?.blank ?? 0),
        widest: BigInt((r?.widest as bigint | null) ?? 0n),
        maxUserId: BigInt((r?.max_user_id as bigint | null) ?? 0n),
      };
    },
    (r) => `${r.rows} events${r.bad ? `, ${r.bad} bad lines` : ''}`,
  );
  const rejected = await readingFile(events.label, () =>
    enforceRejects(duck, inputs, { events: ev.bad, servers: srv.bad }, policy.maxRejects, policy.rejectsPath),
  );
  if (ev.rows === 0) throw noEvents(events, undefined);

  const files: CheckedExport['files'] = {
    events: join(dir, 'events.csv'),
    servers: join(dir, 'servers.csv'),
  };
  await progress.stage('write typed rows for ClickHouse', async () => {
    await duck.writeCsv(
      `select ts_us, device_id, user_id, server_id, cast(connected as utinyint) as connected,
              rowid + 1 + ${events.header ? 1 : 0} as line_no
       from stg_events where ok`,
      files.events,
    );
    await duck.drop('stg_events');
    await duck.writeCsv(
      `select server_id, created_us, coalesce(destroyed_us, 0) as destroyed_us,
              cast(destroyed_us is not null as utinyint) as has_destroyed, line_no
       from stg_servers where err_reason is null and not blank`,
      files.servers,
    );
    if (rejected.events + rejected.servers > 0) {
      files.rejects = join(dir, 'rejects.csv');
      // Every text quoted: current ClickHouse trims spaces around unquoted CSV
      // fields, and a rejected line is kept verbatim.
      await duck.query(
        `copy (select rowid as ord, file, line_number, field, reason, value, line from rejects)
         to ${quote(files.rejects)} (format csv, header true, force_quote (file, field, reason, value, line))`,
      );
    }
  });
  return {
    events,
    servers,
    eventRows: ev.rows,
    blankLines: ev.blank,
    widest: ev.widest,
    maxUserId: ev.maxUserId,
    serverRows: srv.rows,
    rejected,
    files,
  };
}
