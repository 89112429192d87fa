/**
 * The embedded engine and the ClickHouse engine agree file by file on whole
 * exports: examples/small and a generated export (src/generate, scale 0.02),
 * loaded with the load step and analyzed on a two-shard cluster of Debian
 * clickhouse-server 18.16 processes (and, for examples/small, on chdb's
 * ClickHouse 26 too). Also checks where the rows went: every device on one
 * shard, both shards used, servers.csv on every node.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseEngine } from '../src/engine/clickhouse.js';
import type { ClickHouseTarget } from '../src/engine/clickhouse-cluster.js';
import { HttpConnection } from '../src/engine/clickhouse-connection.js';
import { generate } from '../src/generate/index.js';
import { load } from '../src/load/load.js';
import { analyze } from '../src/pipeline/analyze.js';
import {
  CLUSTER_AVAILABLE,
  CLUSTER_SKIP_REASON,
  chdbTarget,
  clusterTarget,
  compareOutputs,
  dropDatabase,
} from './helpers/clickhouse.js';
import { dayNumber, removeTempDirs, tempDir } from './helpers/fixtures.js';

afterAll(removeTempDirs);

const SMALL = {
  events: join('examples', 'small', 'connectivity_events.csv'),
  servers: join('examples', 'small', 'servers.csv'),
};

/** analyze() on DuckDB and on the loaded ClickHouse database; the two output folders. */
async function bothEngines(
  target: ClickHouseTarget,
  files: { events: string; servers: string },
  opts: { asOf?: string } = {},
): Promise<[string, string]> {
  const dir = tempDir('fleetpulse-agree-');
  const asOfDay = opts.asOf === undefined ? undefined : dayNumber(opts.asOf);
  const duck = join(dir, 'duckdb');
  await analyze({ ...files, out: duck, asOfDay, quiet: true });
  const ch = join(dir, 'clickhouse');
  const engine = await ClickHouseEngine.open(target);
  try {
    await analyze({ out: ch, asOfDay, quiet: true, engine });
  } finally {
    await engine.close();
  }
  return [duck, ch];
}

async function loadInto(target: ClickHouseTarget, files: { events: string; servers: string }) {
  return load(target, { ...files, rejectsPath: join(tempDir(), 'rejects.csv'), quiet: true });
}

describe('examples/small on chdb (ClickHouse 26, one server)', () => {
  const target = chdbTarget();
  beforeAll(() => loadInto(target, SMALL));
  afterAll(() => dropDatabase(target));

  it('agrees with DuckDB file by file', async () => {
    const [duck, ch] = await bothEngines(target, SMALL);
    expect(await compareOutputs(duck, ch)).toEqual([]);
  });
});

describe.skipIf(!CLUSTER_AVAILABLE)('the two-shard cluster of clickhouse-server 18.16', () => {
  let target: ClickHouseTarget;
  afterAll(async () => {
    if (target) await dropDatabase(target);
  });

  it('examples/small: agrees with DuckDB file by file, with and without --as-of', async () => {
    target = await clusterTarget();
    const r = await loadInto(target, SMALL);
    expect(r).toMatchObject({ events: 30, servers: 3, replaced: false });
    for (const asOf of [undefined, '2018-02-10']) {
      const [duck, ch] = await bothEngines(target, SMALL, { asOf });
      expect(await compareOutputs(duck, ch), `--as-of ${asOf}`).toEqual([]);
    }
  });

  it('a generated export (scale 0.02): agrees with DuckDB file by file', async () => {
    const gen = tempDir('fleetpulse-agree-gen-');
    await generate({ out: gen, scale: 0.02, seed: 7, quiet: true });
    const files = { events: join(gen, 'connectivity_events.csv'), servers: join(gen, 'servers.csv') };
    target = await clusterTarget(target?.database);
    const r = await loadInto(target, files);
    expect(r.replaced).toBe(true);
    expect(r.events).toBeGreaterThan(150_000);
    const [duck, ch] = await bothEngines(target, files);
    expect(await compareOutputs(duck, ch)).toEqual([]);

    // Sharded by device: both shards hold events, no device on two shards,
    // and servers.csv is whole on every node.
    const perNode = await Promise.all(
      target.urls.map(async (url) => {
        const c = HttpConnection.fromUrl(url);
        try {
          const [e] = (
            await c.json(
              `select count() as n, uniqExact(device_id) as devices, groupUniqArray(device_id) as ids from ${target.database}.events_local`,
            )
          ).data;
          const [s] = (await c.json(`select count() as n from ${target.database}.servers`)).data;
          return {
            events: Number(e?.n),
            ids: ((e?.ids ?? []) as unknown[]).map(String),
            servers: Number(s?.n),
          };
        } finally {
          await c.close();
        }
      }),
    );
    const [a, b] = perNode as [(typeof perNode)[0], (typeof perNode)[0]];
    expect(a.events).toBeGreaterThan(r.events * 0.2);
    expect(b.events).toBeGreaterThan(r.events * 0.2);
    expect(a.events + b.events).toBe(r.events);
    const onA = new Set(a.ids);
    expect(b.ids.filter((id) => onA.has(id))).toEqual([]);
    expect([a.servers, b.servers]).toEqual([r.servers, r.servers]);
  });
});

if (!CLUSTER_AVAILABLE) {
  describe('the two-shard cluster of clickhouse-server 18.16', () => {
    it.skip(CLUSTER_SKIP_REASON, () => {});
  });
}
