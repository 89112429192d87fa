import { mkdirSync, writeFileSync } from 'node:fs';
import { AtomicOutput } from '../util/atomic-output.js';
import { UsageError } from '../util/errors.js';
import { createProgress, type Progress } from '../util/progress.js';
import { dayToIso } from '../util/time.js';
import { VERSION } from '../version.js';
import { DEFAULT_UNTIL_DAY, dayOfMs, FIRST_DAY, MAX_UNTIL_DAY, MS_PER_DAY, SNAPSHOT_MS } from './calendar.js';
import { type CorruptionCounts, Corruptor, Outages } from './corruption.js';
import { DeviceTimeline, type TimelineContext } from './device-timelines.js';
import { FIRST_DEVICE_ID, planPopulation } from './population.js';
import { planServers, type ServerPlan } from './servers.js';
import { TruthAccumulator } from './truth.js';
import { DayBuffer, FileSink, formatTimestamp } from './writer.js';

export interface GenerateOptions {
  /** Output folder (created if missing). */
  out: string;
  /** Random seed, a whole number (default 1). */
  seed?: number;
  /** Multiplies users, devices and events (default 1: the size of the production sample). */
  scale?: number;
  /** Day number of the last day of events (default 2018-02-28). */
  untilDay?: number;
  /** Corrupt the export as production is corrupted (default true). */
  corruption?: boolean;
  quiet?: boolean;
  progress?: Progress;
}

export const GENERATE_FILES = {
  events: 'connectivity_events.csv',
  servers: 'servers.csv',
  truthDaily: 'truth/daily_online.csv',
  truthRolling28: 'truth/rolling28_online.csv',
  summary: 'truth/generation.json',
} as const;

export const GENERATE_DEFAULTS = {
  seed: 1,
  scale: 1,
  untilDay: DEFAULT_UNTIL_DAY,
  corruption: true,
} as const;
export const MAX_SCALE = 20;

/** What the run produced: counts for docs, demos and tests (no timings: the file is deterministic). */
export interface GenerateSummary {
  generator: { name: string; version: string };
  seed: number;
  scale: number;
  until: string;
  corruption: boolean;
  events: number;
  first_event: string;
  last_event: string;
  devices_with_events: number;
  users_with_events: number;
  servers_rows: number;
  servers_alive_at_snapshot: number;
  servers_without_events: number;
  unknown_server_ids: number[];
  eras: {
    sparse: { from: string; to: string; events: number; days: number; events_per_day: number };
    dense: { from: string; to: string; events: number; days: number; events_per_day: number };
  };
  busiest_device: { device_id: number; events: number; share: number };
  corruption_counts: CorruptionCounts;
  truth_last_day: {
    date: string;
    fleet_1_2: number;
    fleet_3_9: number;
    fleet_10_99: number;
    fleet_100_999: number;
    fleet_1000_plus: number;
  };
}

export interface GenerateResult {
  out: string;
  files: string[];
  summary: GenerateSummary;
}

function checkOptions(
  o: GenerateOptions,
): Required<Pick<GenerateOptions, 'seed' | 'scale' | 'untilDay' | 'corruption'>> {
  const seed = o.seed ?? GENERATE_DEFAULTS.seed;
  const scale = o.scale ?? GENERATE_DEFAULTS.scale;
  const untilDay = o.untilDay ?? GENERATE_DEFAULTS.untilDay;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a whole number >= 0, got ${seed}`);
  if (!(Number.isFinite(scale) && scale > 0 && scale <= MAX_SCALE))
    throw new UsageError(`--scale must be a number > 0 and <= ${MAX_SCALE}, got ${scale}`);
  if (!Number.isInteger(untilDay) || untilDay < FIRST_DAY || untilDay > MAX_UNTIL_DAY)
    throw new UsageError(
      `--until must be between ${dayToIso(FIRST_DAY)} and ${dayToIso(MAX_UNTIL_DAY)}, got ${Number.isInteger(untilDay) ? dayToIso(untilDay) : untilDay}`,
    );
  return { seed, scale, untilDay, corruption: o.corruption ?? GENERATE_DEFAULTS.corruption };
}

/**
 * `fleetpulse generate`: a synthetic export shaped like production
 * (connectivity_events.csv, servers.csv) and the truth it hides
 * (truth/daily_online.csv, truth/rolling28_online.csv). Same options, same bytes.
 */
export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
  const o = checkOptions(opts);
  const progress = opts.progress ?? createProgress({ quiet: opts.quiet });
  const untilEnd = (o.untilDay + 1) * MS_PER_DAY;
  const out = new AtomicOutput(opts.out, GENERATE_FILES.events);
  try {
    const servers = await progress.stage(
      'plan servers',
      async () => planServers(o.seed),
      (s) => `${s.known(untilEnd).length} servers in servers.csv`,
    );
    const population = await progress.stage(
      'plan users and devices',
      async () => planPopulation(o.seed, o.scale, servers.switchTime),
      (p) => `${p.users} users and ${p.devices.length} devices up to ${dayToIso(MAX_UNTIL_DAY)}`,
    );
    mkdirSync(out.path('truth'), { recursive: true });
    const devices = population.devices;
    const truth = new TruthAccumulator(devices.length, population.users, FIRST_DAY);
    const maxServerId = Math.max(...servers.servers.map((x) => x.id), ...servers.missingIds.map((m) => m.id));
    const buffer = new DayBuffer(devices.length, population.users, maxServerId, servers.switchTime);
    const corruptor = new Corruptor(
      o.seed,
      servers,
      new Outages(o.seed, servers.switchTime),
      buffer,
      o.corruption,
      devices.length,
    );
    const ctx: TimelineContext = { servers, events: corruptor, truth, seed: o.seed, scale: o.scale };
    const sink = new FileSink(out.path(GENERATE_FILES.events));
    // A calendar queue: each device waits in the bucket of the day of its next transition.
    const buckets: DeviceTimeline[][] = [];
    for (let d = FIRST_DAY; d <= o.untilDay; d++) buckets.push([]);
    let arrived = 0;
    const firstYear = Number(dayToIso(FIRST_DAY).slice(0, 4));
    const lastYear = Number(dayToIso(o.untilDay).slice(0, 4));
    try {
      for (let year = firstYear; year <= lastYear; year++) {
        const from = Math.max(FIRST_DAY, Date.UTC(year, 0, 1) / MS_PER_DAY);
        const to = Math.min(o.untilDay, Date.UTC(year + 1, 0, 1) / MS_PER_DAY - 1);
        await progress.stage(
          `simulate and write ${year}`,
          async (bar) => {
            const before = buffer.count;
            for (let d = from; d <= to; d++) {
              const dayEnd = (d + 1) * MS_PER_DAY;
              buffer.begin(d);
              const due = buckets[d - FIRST_DAY] as DeviceTimeline[];
              buckets[d - FIRST_DAY] = [];
              for (; arrived < devices.length; arrived++) {
                const plan = devices[arrived];
                if (!plan || plan.arrival >= dayEnd) break;
                due.push(new DeviceTimeline(plan, ctx));
              }
              for (const dev of due) {
                dev.advance(dayEnd);
                if (dev.done) continue;
                const next = dayOfMs(dev.nextT);
                if (next <= o.untilDay) (buckets[next - FIRST_DAY] as DeviceTimeline[]).push(dev);
              }
              buffer.flush(sink);
              truth.endDay();
              if ((d - from) % 8 === 0) bar((d - from + 1) / (to - from + 1));
            }
            return buffer.count - before;
          },
          (n) => `${n} events`,
        );
      }
    } finally {
      sink.close();
    }
    if (buffer.count === 0 || dayOfMs(buffer.first) !== FIRST_DAY)
      throw new Error(`generator: the first event is not on ${dayToIso(FIRST_DAY)}`);

    const summary = await progress.stage('write servers.csv and truth', async () => {
      const rows = servers.known(untilEnd);
      writeFileSync(out.path(GENERATE_FILES.servers), serversCsv(rows));
      writeFileSync(out.path(GENERATE_FILES.truthDaily), TruthAccumulator.csv(truth.daily));
      writeFileSync(out.path(GENERATE_FILES.truthRolling28), TruthAccumulator.csv(truth.rolling));
      const s = summarize(o, servers, untilEnd, buffer, corruptor, truth);
      writeFileSync(out.path(GENERATE_FILES.summary), `${JSON.stringify(s, null, 2)}\n`);
      return s;
    });
    progress.note(
      `${summary.events} events, ${summary.devices_with_events} devices, ${summary.users_with_events} users, ${summary.servers_rows} servers`,
    );
    const files = out.commit();
    return { out: opts.out, files, summary };
  } finally {
    out.abort();
  }
}

function serversCsv(rows: ServerPlan['servers']): string {
  let text = '';
  for (const s of rows) {
    const destroyed = s.destroyed < SNAPSHOT_MS ? formatTimestamp(s.destroyed) : '';
    text += `${s.id},${formatTimestamp(s.created)},${destroyed}\n`;
  }
  return text;
}

function summarize(
  o: ReturnType<typeof checkOptions>,
  servers: ServerPlan,
  untilEnd: number,
  buffer: DayBuffer,
  corruptor: Corruptor,
  truth: TruthAccumulator,
): GenerateSummary {
  const rows = servers.known(untilEnd);
  const switchDay = dayOfMs(servers.switchTime);
  const sparseDays = Math.min(switchDay, o.untilDay + 1) - FIRST_DAY;
  const denseDays = Math.max(0, o.untilDay - switchDay);
  const perDay = (n: number, days: number) => (days > 0 ? Math.round(n / days) : 0);
  const busiest = buffer.busiestDevice();
  const [b12, b39, b1099, b100999, b1000] = truth.lastDaily as [number, number, number, number, number];
  return {
    generator: { name: 'fleetpulse generate', version: VERSION },
    seed: o.seed,
    scale: o.scale,
    until: dayToIso(o.untilDay),
    corruption: o.corruption,
    events: buffer.count,
    first_event: formatTimestamp(buffer.first),
    last_event: formatTimestamp(buffer.last),
    devices_with_events: buffer.devicesSeen(),
    users_with_events: buffer.usersSeen(),
    servers_rows: rows.length,
    servers_alive_at_snapshot: rows.filter((s) => s.destroyed >= SNAPSHOT_MS).length,
    servers_without_events: rows.filter((s) => !buffer.serverSeen(s.id)).length,
    unknown_server_ids: servers.missingIds.filter((m) => m.from < untilEnd).map((m) => m.id),
    eras: {
      // Whole days: the switch day itself counts with neither era.
      sparse: {
        from: dayToIso(FIRST_DAY),
        to: formatTimestamp(servers.switchTime),
        events: buffer.sparseCount,
        days: sparseDays,
        events_per_day: perDay(buffer.countBeforeDay(switchDay), sparseDays),
      },
      dense: {
        from: formatTimestamp(servers.switchTime),
        to: dayToIso(o.untilDay),
        events: buffer.count - buffer.sparseCount,
        days: denseDays,
        events_per_day: perDay(buffer.countFromDay(switchDay + 1), denseDays),
      },
    },
    busiest_device: {
      device_id: busiest.index + FIRST_DEVICE_ID,
      events: busiest.events,
      share: buffer.count > 0 ? Number((busiest.events / buffer.count).toFixed(4)) : 0,
    },
    corruption_counts: corruptor.counts,
    truth_last_day: {
      date: dayToIso(o.untilDay),
      fleet_1_2: b12,
      fleet_3_9: b39,
      fleet_10_99: b1099,
      fleet_100_999: b100999,
      fleet_1000_plus: b1000,
    },
  };
}
