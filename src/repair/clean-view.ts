import type { Engine, ProgressSink } from '../engine/engine.js';
import { hasModel, loadModel } from '../engine/models.js';
import { FORMAT_PARAMS } from '../ingest/formats.js';
import type { InputFile } from '../ingest/input-file.js';
import { InputError, UsageError } from '../util/errors.js';
import { DAY_US, dayToIso, usToDay, usToIso } from '../util/time.js';

/** The observation window of a run (SPEC section 2, as_of_end). */
export interface Window {
  firstDay: number;
  asOfDay: number;
  asOfEndUs: bigint;
  asOfSource: 'latest event' | '--as-of';
  firstEventUs: bigint;
  lastEventUs: bigint;
}

/** What analyze() was given, for an engine that holds the inputs already. */
export interface LoadedInputsRequest {
  events?: string;
  servers?: string;
  maxRejects?: number;
  /** Where analyze() stages rejects.csv. */
  rejectsPath: string;
}

/**
 * The clean view's first steps for an engine that holds the inputs already
 * (an export loaded into a warehouse by `fleetpulse load`, which checked every
 * line with the staging models): the pipeline reads no file; the engine says
 * what was loaded, and stages and pairs the events in its own SQL.
 */
export interface LoadedInputs {
  /** The inputs as they were loaded (labels, gzip, header: quality.json). */
  inputs(request: LoadedInputsRequest): Promise<{ events: InputFile; servers: InputFile }>;
  /** As buildStaging() below. */
  buildStaging(): Promise<{ rows: number; bad: number }>;
  /** As buildTransitions() below. */
  buildTransitions(
    asOfDay: number | undefined,
    progress?: ProgressSink,
  ): Promise<{ bad: number; blank: number; window: Window | undefined }>;
}

/**
 * Parses and checks servers.csv (small, so it goes first and fails fast), and
 * declares the events staging view (no read yet).
 */
export async function buildStaging(
  engine: Engine,
  events: InputFile,
  servers: InputFile,
): Promise<{ rows: number; bad: number }> {
  if (engine.loaded) return engine.loaded.buildStaging();
  await engine.build(loadModel(engine.dialect, 'staging', 'stg_event_lines'), {
    ...engine.inputParams(events),
    ...FORMAT_PARAMS,
    id_type: { sql: 'UBIGINT' },
  });
  await engine.build(loadModel(engine.dialect, 'staging', 'stg_servers'), {
    ...engine.inputParams(servers),
    ...FORMAT_PARAMS,
  });
  const [r] = await engine.query(
    `select count(*) filter (where not blank and err_reason is null) as rows,
            count(*) filter (where err_reason is not null) as bad
     from stg_servers`,
  );
  const rows = Number(r?.rows ?? 0);
  const bad = Number(r?.bad ?? 0);
  if (rows + bad === 0) throw new InputError({ file: servers.label, reason: 'empty file (no data rows)' });
  return { rows, bad };
}

/**
 * Reads the events once, pairing each device's events in (timestamp, line)
 * order (int_transitions). Returns the bad-line count and the window bounds.
 */
export async function buildTransitions(
  engine: Engine,
  events: InputFile,
  asOfDay: number | undefined,
  progress?: ProgressSink,
): Promise<{ bad: number; blank: number; window: Window | undefined }> {
  if (engine.loaded) return engine.loaded.buildTransitions(asOfDay, progress);
  const asOfEndUs = asOfDay === undefined ? null : (BigInt(asOfDay) + 1n) * DAY_US;
  // The file is parsed once (a little under half the work), then paired.
  // First with 32-bit ids; a file with ids of 2^32 or more, or with bad
  // lines, is parsed again with 64-bit ids (so a wide id is never mistaken
  // for a bad line, and rejects name the right field).
  const lines = loadModel(engine.dialect, 'staging', 'stg_event_lines');
  const stgEvents = loadModel(engine.dialect, 'staging', 'stg_events');
  const inputs = { ...engine.inputParams(events), ...FORMAT_PARAMS };
  await engine.build(lines, { ...inputs, id_type: { sql: 'UINTEGER' } });
  await engine.build(stgEvents, {}, (f) => progress?.(f * 0.45));
  const [narrow] = await engine.query(
    'select count(*) filter (where not ok and not blank) as bad, count(*) as lines from stg_events',
  );
  // Later readers of the view (rejects, the --as-of count) need 64-bit ids.
  await engine.build(lines, { ...inputs, id_type: { sql: 'UBIGINT' } });
  // With nothing rejected on the narrow pass every id fits 32 bits; only the
  // line numbers can be wider.
  let widest = BigInt((narrow?.lines as bigint | null) ?? 0n) + 2n;
  if (Number(narrow?.bad ?? 0) > 0) {
    await engine.build(stgEvents, {}, (f) => progress?.(f * 0.45));
    // Line numbers count every line (bad ones too); ids only the good lines'.
    const [m] = await engine.query(
      `select greatest(
         max(device_id) filter (where ok), max(user_id) filter (where ok), max(server_id) filter (where ok),
         count(*) + 2
       ) as widest
       from stg_events`,
    );
    widest = BigInt((m?.widest as bigint | null) ?? 0n);
  }
  const intType = widest < 2n ** 32n ? 'UINTEGER' : 'UBIGINT';
  await engine.build(
    loadModel(engine.dialect, 'intermediate', 'int_transitions'),
    { as_of_end_us: asOfEndUs, header_lines: events.header ? 1 : 0, int_type: { sql: intType } },
    (f) => progress?.(0.45 + f * 0.55),
  );
  await engine.drop('stg_events');
  const [b] = await engine.query(
    `select count(*) filter (where rule = -1) as bad,
            count(*) filter (where rule = -2) as blank,
            count(*) filter (where rule >= 0) as rows,
            min(ts_us) filter (where rule >= 0) as first_us,
            max(greatest(ts_us, coalesce(next_ts_us, ts_us))) filter (where rule >= 0) as last_us
     from int_transitions`,
  );
  const bad = Number(b?.bad ?? 0);
  const blank = Number(b?.blank ?? 0);
  if (Number(b?.rows ?? 0) === 0) return { bad, blank, window: undefined };
  return {
    bad,
    blank,
    window: windowOf(BigInt(b?.first_us as bigint), BigInt(b?.last_us as bigint), asOfDay),
  };
}

/** The window from the first and last event used and --as-of (default: the last event's day). */
export function windowOf(firstEventUs: bigint, lastEventUs: bigint, asOfDay: number | undefined): Window {
  const day = asOfDay ?? usToDay(lastEventUs);
  return {
    firstDay: usToDay(firstEventUs),
    asOfDay: day,
    asOfEndUs: (BigInt(day) + 1n) * DAY_US,
    asOfSource: asOfDay === undefined ? 'latest event' : '--as-of',
    firstEventUs,
    lastEventUs,
  };
}

/** Raised when no event is left to measure. */
export function noEvents(events: InputFile, asOfDay: number | undefined): Error {
  if (asOfDay === undefined)
    return new InputError({ file: events.label, reason: 'empty file (no data rows)' });
  return new UsageError(`--as-of ${dayToIso(asOfDay)} is before the first event in ${events.label}`);
}

export function windowParams(w: Window) {
  return { as_of_end_us: w.asOfEndUs, as_of_day: w.asOfDay, first_day: w.firstDay };
}

/** How rule 4 ends an interval: SPEC's literal rule, or the sensitivity variant. */
export type Rule4End = 'literal' | 'earlier';

/** Intervals (SPEC 2-3) and the owner of each online device-day (SPEC 4). */
export async function buildDeviceDays(
  engine: Engine,
  w: Window,
  rule4: Rule4End,
  progress?: ProgressSink,
): Promise<void> {
  const p = { ...windowParams(w), rule4_end: rule4 };
  await engine.build(loadModel(engine.dialect, 'intermediate', 'int_intervals'), p);
  // The embedded dialect keeps the owned days as runs (int_device_day_ranges)
  // and int_device_days expands them; ClickHouse settles days per device in
  // arrays and builds int_device_days itself.
  if (hasModel(engine.dialect, 'intermediate', 'int_device_day_ranges')) {
    await engine.build(loadModel(engine.dialect, 'intermediate', 'int_device_day_ranges'), p, progress);
  }
  await engine.build(loadModel(engine.dialect, 'intermediate', 'int_device_days'), p, progress);
}

export function describeWindow(w: Window): string {
  return `${dayToIso(w.firstDay)} .. ${dayToIso(w.asOfDay)} (${w.asOfSource}; last event ${usToIso(w.lastEventUs)})`;
}
