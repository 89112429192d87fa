import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbEngine } from '../engine/duckdb.js';
import type { Engine } from '../engine/engine.js';
import { loadModel } from '../engine/models.js';
import { type InputFile, inspectInput } from '../ingest/input-file.js';
import { enforceRejects } from '../ingest/rejects.js';
import { writeDeviceDays } from '../metrics/device-days.js';
import { buildOnlineCounts, writeOnlineCounts } from '../metrics/online-counts.js';
import {
  buildDeviceDays,
  buildStaging,
  buildTransitions,
  describeWindow,
  type LoadedInputs,
  noEvents,
  type Rule4End,
} from '../repair/clean-view.js';
import { buildQuality, type QualityReport } from '../repair/quality.js';
import { AtomicOutput } from '../util/atomic-output.js';
import { InputError, readingFile, UsageError } from '../util/errors.js';
import { createProgress, type Progress } from '../util/progress.js';
import { VERSION } from '../version.js';

export interface AnalyzeOptions {
  /** Required, with servers, unless the engine holds the inputs already (Engine.loaded). */
  events?: string;
  servers?: string;
  out: string;
  /** Day number of --as-of (end of that UTC day), or undefined for the latest event's day. */
  asOfDay?: number;
  /** Tolerate up to this many rejected lines (undefined: stop at the first). */
  maxRejects?: number;
  quiet?: boolean;
  progress?: Progress;
  /** Rule 4 as SPEC writes it (default), or ending at the earlier of destruction and the next event. */
  rule4?: Rule4End;
  /** An engine to use instead of a fresh embedded DuckDB (tests, other engines). */
  engine?: Engine;
}

export interface AnalyzeResult {
  out: string;
  files: string[];
  quality: QualityReport;
}

export const ANALYZE_FILES = {
  daily: 'daily_online.csv',
  rolling28: 'rolling28_online.csv',
  quality: 'quality.json',
  deviceDays: 'device_days.parquet',
  rejects: 'rejects.csv',
  /** A failed run's rejects: beside, never over, an earlier run's result. */
  failedRunRejects: 'failed-run-rejects.csv',
  repairsByServer: 'repairs_by_server.csv',
} as const;

/** `fleetpulse analyze`: export -> clean view -> Task 1 tables, quality.json. */
export async function analyze(opts: AnalyzeOptions): Promise<AnalyzeResult> {
  const progress = opts.progress ?? createProgress({ quiet: opts.quiet });
  // An engine that holds the inputs already (Engine.loaded) reads no file.
  const loaded = opts.engine?.loaded;
  const inspected = loaded ? undefined : await inspectFiles(opts);
  const engine = opts.engine ?? (await DuckDbEngine.open());
  let out: AtomicOutput | undefined;
  try {
    out = new AtomicOutput(opts.out, ANALYZE_FILES.quality);
    const { events, servers } =
      inspected ??
      (await (loaded as LoadedInputs).inputs({
        events: opts.events,
        servers: opts.servers,
        maxRejects: opts.maxRejects,
        rejectsPath: out.path(ANALYZE_FILES.rejects),
      }));
    const result = await run(engine, events, servers, opts, out, progress);
    const files = out.commit();
    return { out: opts.out, files, quality: result };
  } catch (e) {
    // Keep the full list of rejects when there were too many of them.
    const staged = out?.path(ANALYZE_FILES.rejects);
    if (e instanceof InputError && staged && existsSync(staged)) {
      copyFileSync(staged, join(opts.out, ANALYZE_FILES.failedRunRejects));
    }
    throw e;
  } finally {
    out?.abort();
    if (!opts.engine) await engine.close();
  }
}

async function inspectFiles(opts: AnalyzeOptions): Promise<{ events: InputFile; servers: InputFile }> {
  if (opts.events === undefined) throw new UsageError("required option '--events <file>' not specified");
  if (opts.servers === undefined) throw new UsageError("required option '--servers <file>' not specified");
  const [events, servers] = await Promise.all([
    inspectInput(opts.events, 'timestamp'),
    inspectInput(opts.servers, 'id'),
  ]);
  return { events, servers };
}

async function run(
  engine: Engine,
  events: InputFile,
  servers: InputFile,
  opts: AnalyzeOptions,
  out: AtomicOutput,
  progress: Progress,
): Promise<QualityReport> {
  const srv = await progress.stage(
    `read ${servers.label}`,
    () => readingFile(servers.label, () => buildStaging(engine, events, servers)),
    (r) => `${r.rows} servers${r.bad ? `, ${r.bad} bad lines` : ''}`,
  );
  if (srv.bad > 0 && opts.maxRejects === undefined) {
    await readingFile(events.label, () =>
      enforceRejects(engine, { events, servers }, { events: 0, servers: srv.bad }, undefined, ''),
    );
  }
  const tr = await progress.stage(
    `read and pair events from ${events.label}`,
    (bar) => readingFile(events.label, () => buildTransitions(engine, events, opts.asOfDay, bar)),
    (r) => (r.window ? describeWindow(r.window) : 'no events') + (r.bad ? `, ${r.bad} bad lines` : ''),
  );
  const rejected = await readingFile(events.label, () =>
    enforceRejects(
      engine,
      { events, servers },
      { events: tr.bad, servers: srv.bad },
      opts.maxRejects,
      out.path(ANALYZE_FILES.rejects),
      join(opts.out, ANALYZE_FILES.failedRunRejects),
    ),
  );
  const window = tr.window;
  if (!window) throw noEvents(events, opts.asOfDay);
  let rowsAfterAsOf = 0;
  if (opts.asOfDay !== undefined) {
    rowsAfterAsOf = await progress.stage(
      'count events after --as-of',
      async () => {
        const [r] = await readingFile(events.label, () =>
          engine.query(`select count(*) as n from stg_event_lines where ok and ts_us >= ${window.asOfEndUs}`),
        );
        return Number(r?.n ?? 0);
      },
      (n) => `${n} events left out`,
    );
  }
  // The big sort is done; what follows holds less and can live with a cap.
  await engine.afterPairing?.();
  await progress.stage('repair intervals and owners per device-day', (bar) =>
    buildDeviceDays(engine, window, opts.rule4 ?? 'literal', bar),
  );
  const quality = await progress.stage('count rule firings', () =>
    buildQuality(engine, {
      version: VERSION,
      window,
      events,
      servers,
      serverRows: srv.rows,
      rejected,
      blankLines: tr.blank,
      rowsAfterAsOf,
      rejectsFile: rejected.rejectsFile ? ANALYZE_FILES.rejects : null,
    }),
  );
  await engine.build(loadModel(engine.dialect, 'marts', 'repairs_by_server'), {});
  await engine.drop('int_transitions');
  await progress.stage('daily and rolling 28-day counts', (bar) => buildOnlineCounts(engine, window, bar));
  await progress.stage('write outputs', async () => {
    await writeOnlineCounts(engine, {
      daily: out.path(ANALYZE_FILES.daily),
      rolling28: out.path(ANALYZE_FILES.rolling28),
    });
    await writeDeviceDays(engine, out.path(ANALYZE_FILES.deviceDays));
    await engine.writeCsv('repairs_by_server', out.path(ANALYZE_FILES.repairsByServer));
    writeFileSync(out.path(ANALYZE_FILES.quality), `${JSON.stringify(quality, null, 2)}\n`);
  });
  return quality;
}
