import type { Engine } from '../engine/engine.js';
import { hasModel, loadModel } from '../engine/models.js';
import type { InputFile } from '../ingest/input-file.js';
import { dayToIso, usToIso } from '../util/time.js';
import { type Window, windowParams } from './clean-view.js';

export interface RuleCounter {
  meaning: string;
  firings: number;
  device_days: number;
}

export interface QualityReport {
  tool: { name: string; version: string; engine: string };
  as_of: string;
  as_of_end: string;
  as_of_source: string;
  first_event: string;
  last_event: string;
  days: number;
  inputs: {
    events: {
      file: string;
      gzip: boolean;
      header: boolean;
      rows_read: number;
      rows_used: number;
      rows_rejected: number;
      rows_after_as_of: number;
      blank_lines: number;
    };
    servers: {
      file: string;
      gzip: boolean;
      header: boolean;
      rows_read: number;
      rows_used: number;
      rows_rejected: number;
    };
    rejects_file: string | null;
  };
  devices: number;
  users_with_online_events: number;
  rules: Record<string, RuleCounter>;
  unknown_server_events: number;
  unknown_servers: number;
  intervals: number;
  clamped_intervals: number;
  device_days: number;
  device_days_repaired_only: number;
}

const num = (v: unknown) => Number(v ?? 0);

/** Builds the quality models and assembles quality.json (SPEC 2 and 6). */
export async function buildQuality(
  engine: Engine,
  ctx: {
    version: string;
    window: Window;
    events: InputFile;
    servers: InputFile;
    serverRows: number;
    rejected: { events: number; servers: number };
    blankLines: number;
    rowsAfterAsOf: number;
    rejectsFile: string | null;
  },
): Promise<QualityReport> {
  const p = windowParams(ctx.window);
  // The embedded dialect counts events per server once (int_server_events)
  // for quality.json and repairs_by_server.csv; ClickHouse counts in each.
  if (hasModel(engine.dialect, 'intermediate', 'int_server_events')) {
    await engine.build(loadModel(engine.dialect, 'intermediate', 'int_server_events'), p);
  }
  await engine.build(loadModel(engine.dialect, 'marts', 'quality_rules'), p);
  await engine.build(loadModel(engine.dialect, 'marts', 'quality_summary'), p);
  const rules: Record<string, RuleCounter> = {};
  for (const r of await engine.query('select * from quality_rules')) {
    rules[String(r.counter)] = {
      meaning: String(r.meaning),
      firings: num(r.firings),
      device_days: num(r.device_days),
    };
  }
  const [s = {}] = await engine.query('select * from quality_summary');
  const w = ctx.window;
  const used = num(s.events_used);
  return {
    tool: { name: 'fleetpulse', version: ctx.version, engine: engine.dialect },
    as_of: dayToIso(w.asOfDay),
    as_of_end: usToIso(w.asOfEndUs),
    as_of_source: w.asOfSource,
    first_event: usToIso(w.firstEventUs),
    last_event: usToIso(w.lastEventUs),
    days: w.asOfDay - w.firstDay + 1,
    inputs: {
      events: {
        file: ctx.events.label,
        gzip: ctx.events.gzip,
        header: ctx.events.header,
        rows_read: used + ctx.rejected.events + ctx.rowsAfterAsOf,
        rows_used: used,
        rows_rejected: ctx.rejected.events,
        rows_after_as_of: ctx.rowsAfterAsOf,
        blank_lines: ctx.blankLines,
      },
      servers: {
        file: ctx.servers.label,
        gzip: ctx.servers.gzip,
        header: ctx.servers.header,
        rows_read: ctx.serverRows + ctx.rejected.servers,
        rows_used: ctx.serverRows,
        rows_rejected: ctx.rejected.servers,
      },
      rejects_file: ctx.rejectsFile,
    },
    devices: num(s.devices),
    users_with_online_events: num(s.users_with_online_events),
    rules,
    unknown_server_events: num(s.unknown_server_events),
    unknown_servers: num(s.unknown_servers),
    intervals: num(s.intervals),
    clamped_intervals: num(s.clamped_intervals),
    device_days: num(s.device_days),
    device_days_repaired_only: num(s.device_days_repaired_only),
  };
}
