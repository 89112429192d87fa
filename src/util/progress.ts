import { writeFileSync } from 'node:fs';

/**
 * Stage log on stderr: each stage prints its name, elapsed time and a short
 * result; on a terminal, long stages also draw a bar. `quiet` silences all.
 */
export interface Progress {
  stage<T>(
    name: string,
    work: (bar: (fraction: number) => void) => Promise<T>,
    summary?: (r: T) => string,
  ): Promise<T>;
  note(message: string): void;
}

const BAR_WIDTH = 24;

/** Every stage's wall time in this process, for the benchmark (FLEETPULSE_STATS). */
const stageTimes: { stage: string; seconds: number; max_rss_bytes_after: number }[] = [];

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const s0 = performance.now();
  try {
    return await work();
  } finally {
    stageTimes.push({
      stage: name,
      seconds: (performance.now() - s0) / 1000,
      // The process's peak so far: the stage where it jumps is the one that peaked.
      max_rss_bytes_after: process.resourceUsage().maxRSS * 1024,
    });
  }
}

/**
 * When FLEETPULSE_STATS names a file, writes this process's stage times and
 * peak RSS there at exit: `npm run bench` reads it (the process measures its
 * own peak, native DuckDB memory included).
 */
export function writeStatsIfAsked(): void {
  const path = process.env.FLEETPULSE_STATS;
  if (!path) return;
  const stats = {
    max_rss_bytes: process.resourceUsage().maxRSS * 1024,
    uptime_seconds: process.uptime(),
    stages: stageTimes,
  };
  writeFileSync(path, `${JSON.stringify(stats, null, 2)}\n`);
}

export function createProgress(opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const out = opts.stream ?? process.stderr;
  const t0 = performance.now();
  const secs = () => ((performance.now() - t0) / 1000).toFixed(1).padStart(5);
  if (opts.quiet) {
    return { stage: (name, work) => timed(name, () => work(() => {})), note: () => {} };
  }
  const tty = Boolean(out.isTTY);
  return {
    async stage(name, work, summary) {
      const s0 = performance.now();
      if (!tty) out.write(`[${secs()}s] ${name} ...\n`);
      let drawn = false;
      const bar = (f: number) => {
        if (!tty) return;
        const n = Math.round(Math.max(0, Math.min(1, f)) * BAR_WIDTH);
        out.write(
          `\r[${secs()}s] ${name} [${'#'.repeat(n)}${'.'.repeat(BAR_WIDTH - n)}] ${Math.round(f * 100)}%`,
        );
        drawn = true;
      };
      const result = await timed(name, () => work(bar));
      const took = ((performance.now() - s0) / 1000).toFixed(2);
      const tail = summary ? `: ${summary(result)}` : '';
      if (tty && drawn) out.write('\r\x1b[K');
      out.write(`[${secs()}s] ${name} done in ${took}s${tail}\n`);
      return result;
    },
    note(message) {
      out.write(`[${secs()}s] ${message}\n`);
    },
  };
}
