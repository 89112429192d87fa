#!/usr/bin/env node
// `npm run bench`: whole-process wall time and peak RSS of `fleetpulse analyze`
// (and the later steps) on the synthetic export at several scales, beside the
// floor: DuckDB parsing every column of the same file. Each measured command
// runs as a separate process; its peak RSS is what the process itself saw at
// exit (FLEETPULSE_STATS), native DuckDB memory included.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'fleetpulse');
const dataRoot = join(root, 'bench', 'data');
const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const scales = flag('--scales', '0.1,0.3,1,3').split(',').map(Number);
const repeat = Number(flag('--repeat', '1'));
const steps = flag('--steps', 'analyze,forecast').split(',');

function run(cmd, cmdArgs, env = {}) {
  const statsFile = join(dataRoot, `.stats-${process.pid}.json`);
  rmSync(statsFile, { force: true });
  const t0 = performance.now();
  const r = spawnSync(cmd, cmdArgs, {
    env: { ...process.env, FLEETPULSE_STATS: statsFile, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${r.status}):\n${r.stderr}`);
  }
  const stats = existsSync(statsFile) ? JSON.parse(readFileSync(statsFile, 'utf8')) : {};
  rmSync(statsFile, { force: true });
  return { wall, stats, stdout: r.stdout };
}

/** A hash of the built generator's code. */
function generatorFingerprint() {
  const dir = join(root, 'dist', 'generate');
  const hash = createHash('sha256');
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.js'))
    .sort())
    hash.update(readFileSync(join(dir, f)));
  return hash.digest('hex').slice(0, 16);
}

/** Generates the export at `scale` once; later runs reuse it while the generator is the same. */
function ensureExport(scale) {
  const dir = join(dataRoot, `scale-${scale}`);
  const marker = join(dir, '.generated');
  // An export made by another version of the generator is made again.
  const generator = generatorFingerprint();
  if (existsSync(marker) && JSON.parse(readFileSync(marker, 'utf8')).generator === generator) {
    return { dir, generated: false };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const g = run('node', [bin, 'generate', '--out', dir, '--scale', String(scale), '--quiet']);
  writeFileSync(marker, JSON.stringify({ scale, seconds: g.wall, generator }));
  return { dir, generated: true, seconds: g.wall, maxRss: g.stats.max_rss_bytes };
}

/** The floor: DuckDB parsing every column of the file, in a process of its own. */
function parseFloor(events) {
  const script = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const t0 = performance.now();
    const r = await c.runAndReadAll(\`select count(*) n, min(ts), max(ts), sum(d), sum(u), sum(s), count_if(c)
      from read_csv(${JSON.stringify(events).replaceAll('"', "'")},
        columns = {'ts': 'TIMESTAMP', 'd': 'UBIGINT', 'u': 'UBIGINT', 's': 'UBIGINT', 'c': 'BOOLEAN'},
        header = false, auto_detect = false, delim = ',', quote = '', escape = '', new_line = '\\\\n')\`);
    const rows = r.getRowsJS();
    console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, rows: Number(rows[0][0]) }));
  `;
  const t0 = performance.now();
  const r = spawnSync('node', ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`parse floor failed:\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  return { query_seconds: out.seconds, process_seconds: (performance.now() - t0) / 1000, rows: out.rows };
}

const mb = (b) => (b === undefined ? undefined : Math.round(b / 2 ** 20));

/**
 * `--steps clickhouse`: a two-shard cluster of local clickhouse-server
 * processes (dist/engine/clickhouse-local-cluster.js), `fleetpulse load` into
 * it, then `fleetpulse analyze --engine clickhouse`; wall times, peak RSS of
 * the CLI and of each server, and whether the outputs equal the embedded
 * engine's (when the analyze step ran first).
 */
async function clickhouseStep(dir, events, servers, rows, duckdbOut) {
  const { startLocalCluster } = await import('../dist/engine/clickhouse-local-cluster.js');
  const cluster = await startLocalCluster({
    shards: 2,
    cluster: 'fleetpulse_bench',
    maxMemoryUsage: 8_000_000_000,
  });
  try {
    const target = [
      ...cluster.urls.flatMap((u) => ['--url', u]),
      '--cluster',
      cluster.cluster,
      '--database',
      'fleetpulse_bench',
    ];
    const chOut = join(dir, 'run-clickhouse');
    const stepStats = (r) => ({
      wall_seconds: +r.wall.toFixed(2),
      peak_rss_mb: mb(r.stats.max_rss_bytes),
      events_per_second: Math.round(rows / r.wall),
      stages: (r.stats.stages ?? []).map((s) => ({ stage: s.stage, seconds: +s.seconds.toFixed(2) })),
    });
    const load = run('node', [bin, 'load', ...target, '--events', events, '--servers', servers, '--quiet']);
    const analyze = run('node', [
      bin,
      'analyze',
      '--engine',
      'clickhouse',
      ...target,
      '--out',
      chOut,
      '--quiet',
    ]);
    const result = {
      shards: cluster.urls.length,
      load: stepStats(load),
      analyze: stepStats(analyze),
      load_plus_analyze_seconds: +(load.wall + analyze.wall).toFixed(2),
      server_peak_rss_mb: cluster.serverPeakRss().map(mb),
    };
    if (duckdbOut) {
      const same = ['daily_online.csv', 'rolling28_online.csv', 'repairs_by_server.csv'].every(
        (f) => readFileSync(join(duckdbOut, f), 'utf8') === readFileSync(join(chOut, f), 'utf8'),
      );
      result.csv_outputs_equal_duckdb = same;
    }
    console.log(
      `  clickhouse (${result.shards} shards): load ${result.load.wall_seconds} s, analyze ${result.analyze.wall_seconds} s` +
        ` (CLI peak ${result.load.peak_rss_mb} / ${result.analyze.peak_rss_mb} MB, servers ${result.server_peak_rss_mb.join(' / ')} MB)` +
        (duckdbOut ? `; outputs equal the embedded engine's: ${result.csv_outputs_equal_duckdb}` : ''),
    );
    return result;
  } finally {
    await cluster.stop();
  }
}
const results = {
  machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30) },
  node: process.version,
  date: new Date().toISOString(),
  repeat,
  scales: [],
};

for (const scale of scales) {
  const exp = ensureExport(scale);
  const events = join(exp.dir, 'connectivity_events.csv');
  const servers = join(exp.dir, 'servers.csv');
  const rows = Number(spawnSync('wc', ['-l', events], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0]);
  const entry = {
    scale,
    events: rows,
    file_mb: mb(statSync(events).size),
    generate_seconds: exp.generated
      ? exp.seconds
      : JSON.parse(readFileSync(join(exp.dir, '.generated'))).seconds,
    floor: parseFloor(events),
    steps: {},
  };
  const out = join(exp.dir, 'run');
  for (const step of steps) {
    if (step === 'clickhouse') {
      entry.steps.clickhouse = await clickhouseStep(
        exp.dir,
        events,
        servers,
        rows,
        steps.includes('analyze') ? out : undefined,
      );
      continue;
    }
    const cmdArgs =
      step === 'analyze'
        ? [bin, 'analyze', '--events', events, '--servers', servers, '--out', out, '--quiet']
        : [bin, step, '--in', out, '--quiet'];
    let best;
    for (let i = 0; i < repeat; i++) {
      const r = run('node', cmdArgs);
      if (!best || r.wall < best.wall) best = r;
    }
    entry.steps[step] = {
      wall_seconds: +best.wall.toFixed(2),
      peak_rss_mb: mb(best.stats.max_rss_bytes),
      events_per_second: Math.round(rows / best.wall),
      stages: (best.stats.stages ?? []).map((s) => ({
        stage: s.stage,
        seconds: +s.seconds.toFixed(2),
        peak_rss_mb_so_far: mb(s.max_rss_bytes_after),
      })),
    };
  }
  if (entry.steps.analyze) {
    entry.analyze_to_floor = +(entry.steps.analyze.wall_seconds / entry.floor.query_seconds).toFixed(2);
  }
  results.scales.push(entry);
  const a = entry.steps.analyze;
  console.log(
    `scale ${scale}: ${rows.toLocaleString('en-US')} events, ${entry.file_mb} MB; parse floor ${entry.floor.query_seconds.toFixed(2)} s` +
      (a
        ? `; analyze ${a.wall_seconds} s, ${a.peak_rss_mb} MB peak, ${a.events_per_second.toLocaleString('en-US')} events/s, ${entry.analyze_to_floor}x floor`
        : ''),
  );
  for (const [step, s] of Object.entries(entry.steps)) {
    if (step === 'analyze' || step === 'clickhouse') continue;
    console.log(`  ${step}: ${s.wall_seconds} s, ${s.peak_rss_mb} MB peak`);
  }
}
writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`written ${join('bench', 'results.json')}`);
