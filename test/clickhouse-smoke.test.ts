import { it } from 'vitest';
import { HttpConnection } from '../src/engine/clickhouse-connection.js';
import { analyze } from '../src/pipeline/analyze.js';
import { clusterTarget, LoadingClickHouseEngine } from './helpers/clickhouse.js';

const ev = 'examples/small/connectivity_events.csv';
const sv = 'examples/small/servers.csv';

it('profile cluster', async () => {
  const log: [number, string][] = [];
  for (const m of ['command', 'json', 'insertFile', 'exportCsv'] as const) {
    const orig = HttpConnection.prototype[m] as (...a: unknown[]) => Promise<unknown>;
    (HttpConnection.prototype as any)[m] = async function (this: HttpConnection, ...a: unknown[]) {
      const t0 = performance.now();
      try { return await orig.apply(this, a); } finally { log.push([performance.now() - t0, `${this.label} ${m} ${String(a[0]).replace(/\s+/g, ' ').slice(0, 90)}`]); }
    };
  }
  const target = await clusterTarget();
  for (let i = 0; i < 2; i++) {
    log.length = 0;
    const t0 = performance.now();
    const eng = await LoadingClickHouseEngine.open(target);
    try { await analyze({ events: ev, servers: sv, out: '/work/main/.scratch-ch/prof', quiet: true, engine: eng }); } finally { await eng.close(); }
    console.log('total', (performance.now() - t0).toFixed(0), 'ms; statements', log.length, 'sum', log.reduce((a, b) => a + b[0], 0).toFixed(0));
  }
  console.log(log.sort((a, b) => b[0] - a[0]).slice(0, 25).map(([t, s]) => `${t.toFixed(0).padStart(5)} ${s}`).join('\n'));
});
