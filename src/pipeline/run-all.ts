import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forecast } from '../forecast/forecast.js';
import { GENERATE_DEFAULTS, GENERATE_FILES, generate } from '../generate/generate.js';
import { insights } from '../insights/run.js';
import { writeReport } from '../report/write-report.js';
import { createProgress, type Progress } from '../util/progress.js';
import { VERSION } from '../version.js';
import { analyze } from './analyze.js';

export interface RunAllOptions {
  events: string;
  servers: string;
  /** The run folder: every step writes its files here. */
  out: string;
  asOfDay?: number;
  maxRejects?: number;
  quiet?: boolean;
  progress?: Progress;
}

/**
 * `fleetpulse run`: every step on an export, in data-flow order (analyze ->
 * forecast -> insights -> report). Returns the report's path.
 */
export async function runAll(opts: RunAllOptions): Promise<string> {
  const progress = opts.progress ?? createProgress({ quiet: opts.quiet });
  const common = { quiet: opts.quiet, progress };
  progress.note('step 1/4: analyze');
  await analyze({
    events: opts.events,
    servers: opts.servers,
    out: opts.out,
    asOfDay: opts.asOfDay,
    maxRejects: opts.maxRejects,
    ...common,
  });
  progress.note('step 2/4: forecast');
  await forecast({ inDir: opts.out, ...common });
  progress.note('step 3/4: insights');
  await insights({ inDir: opts.out, ...common });
  progress.note('step 4/4: report');
  return writeReport({ inDir: opts.out, ...common });
}

export interface DemoOptions {
  out: string;
  scale?: number;
  seed?: number;
  quiet?: boolean;
}

/** What the demo's export was generated with: the same arguments reuse it. */
const DEMO_MARKER = '.fleetpulse-demo.json';

/**
 * `fleetpulse demo`: the built-in synthetic export (generated once, reused
 * while the arguments and the tool version stay the same), then every step.
 * The export, its ground truth (truth/) and the results share one folder, so
 * the report can compare the repaired counts with the truth.
 */
export async function demo(opts: DemoOptions): Promise<string> {
  const progress = createProgress({ quiet: opts.quiet });
  const args = {
    version: VERSION,
    seed: opts.seed ?? GENERATE_DEFAULTS.seed,
    scale: opts.scale ?? GENERATE_DEFAULTS.scale,
  };
  const marker = join(opts.out, DEMO_MARKER);
  const events = join(opts.out, GENERATE_FILES.events);
  const servers = join(opts.out, GENERATE_FILES.servers);
  const same =
    existsSync(marker) &&
    existsSync(events) &&
    existsSync(servers) &&
    readFileSync(marker, 'utf8') === `${JSON.stringify(args)}\n`;
  if (same) {
    progress.note(`reusing the synthetic export in ${opts.out} (seed ${args.seed}, scale ${args.scale})`);
  } else {
    progress.note(
      `generating the synthetic export (seed ${args.seed}, scale ${args.scale}) into ${opts.out}`,
    );
    await generate({ out: opts.out, seed: args.seed, scale: args.scale, quiet: opts.quiet, progress });
    writeFileSync(marker, `${JSON.stringify(args)}\n`);
  }
  return runAll({ events, servers, out: opts.out, quiet: opts.quiet, progress });
}
