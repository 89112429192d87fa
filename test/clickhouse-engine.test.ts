/**
 * The ClickHouse engine's own contracts, beside the SPEC tests it shares with
 * the embedded engine (test/helpers/engines.ts):
 * - the models keep to the SQL that Debian's ClickHouse 18.16 runs;
 * - files written through ClickHouse are byte for byte DuckDB's;
 * - the comparison the agreement tests rely on does see differences.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClickHouseEngine } from '../src/engine/clickhouse.js';
import { ClickHouseCluster, type ClickHouseTarget } from '../src/engine/clickhouse-cluster.js';
import type { ClickHouseConnection, JsonResult } from '../src/engine/clickhouse-connection.js';
import { DuckDbEngine } from '../src/engine/duckdb.js';
import { MODELS_ROOT } from '../src/engine/models.js';
import { analyze } from '../src/pipeline/analyze.js';
import { UsageError } from '../src/util/errors.js';
import {
  CLUSTER_AVAILABLE,
  chdbTarget,
  clusterTarget,
  compareOutputs,
  dropDatabase,
} from './helpers/clickhouse.js';
import { removeTempDirs, tempDir } from './helpers/fixtures.js';

afterAll(removeTempDirs);

function models(dialect: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const layer of readdirSync(join(MODELS_ROOT, dialect)))
    for (const f of readdirSync(join(MODELS_ROOT, dialect, layer)))
      out.set(
        `${layer}/${f.replace(/\.sql$/, '')}`,
        readFileSync(join(MODELS_ROOT, dialect, layer, f), 'utf8'),
      );
  return out;
}

/** The line by which a model says it is one dialect's own step (no twin). */
const DIALECT_ONLY = /^--\s*dialect-only:\s*\S/m;

/** Every TypeScript file under a folder, concatenated. */
function sourceText(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

/** The SQL without comments and string literals. */
function code(sql: string): string {
  return sql.replace(/--.*$/gm, '').replace(/'(?:[^']|'')*'/g, "''");
}

/** The arguments of every call of `fn(`, split at top-level commas. */
function callArgs(sql: string, fn: string): string[][] {
  const out: string[][] = [];
  const re = new RegExp(`\\b${fn}\\s*\\(`, 'gi');
  for (const m of sql.matchAll(re)) {
    let depth = 0;
    let arg = '';
    const args: string[] = [];
    for (const ch of sql.slice((m.index ?? 0) + m[0].length)) {
      if (ch === '(' || ch === '[') depth++;
      if ((ch === ')' || ch === ']') && depth-- === 0) break;
      if (ch === ',' && depth === 0) {
        args.push(arg);
        arg = '';
      } else arg += ch;
    }
    args.push(arg);
    out.push(args);
  }
  return out;
}

describe('models/clickhouse', () => {
  const ch = models('clickhouse');

  it('has the embedded engine models the pipeline builds, one per file', () => {
    const duck = models('duckdb');
    const src = sourceText(join(MODELS_ROOT, '..', 'src'));
    // Every DuckDB model has its ClickHouse twin, unless it says it is one
    // dialect's own step and the pipeline builds it only where it exists.
    for (const [name, sql] of duck) {
      if (ch.has(name)) continue;
      expect(sql, `${name}: no ClickHouse twin and no '-- dialect-only:' line`).toMatch(DIALECT_ONLY);
      const [layer, model] = name.split('/');
      expect(src, `${name}: built without a hasModel check`).toContain(
        `hasModel(engine.dialect, '${layer}', '${model}')`,
      );
    }
    for (const name of ch.keys()) {
      if (!duck.has(name)) expect(ch.get(name), name).toMatch(DIALECT_ONLY);
    }
  });

  it.each([...models('clickhouse').entries()])('%s keeps to ClickHouse 18.16 SQL', (name, sql) => {
    const c = code(sql);
    expect(sql, 'materialized line').toMatch(/^--\s*materialized:\s*(table|view)\s*$/m);
    expect(sql, 'placement line').toMatch(/^--\s*placement:\s*(shards|initiator)\s*$/m);
    expect(c, 'window functions').not.toMatch(/\bover\s*\(/i);
    expect(c, 'CTEs').not.toMatch(/^\s*with\b/im);
    expect(c, 'DateTime64').not.toMatch(/DateTime64/i);
    expect(c, 'Bool').not.toMatch(/\bBool(ean)?\b/i);
    expect(c, 'neighbor()').not.toMatch(/\bneighbor\s*\(/i);
    expect(c, 'FILTER (WHERE').not.toMatch(/\bfilter\s*\(\s*where/i);
    expect(c, 'ClickHouse date parsing').not.toMatch(/\b(parseDateTime\w*|toDateTime)\s*\(/i);
    for (const args of callArgs(c, 'range'))
      expect(args, `${name}: range() with one argument`).toHaveLength(1);
    for (const fn of ['least', 'greatest'])
      for (const args of callArgs(c, fn)) expect(args, `${name}: ${fn}() with two arguments`).toHaveLength(2);
    // "The next event" is a shifted array, never an index into it from a lambda.
    expect(c, 'arrayElement in a lambda').not.toMatch(/->[^,)]*\w+\[[^\]]+\]/);
    expect(name.startsWith('staging/') || !/\bevents_local\b/.test(c), 'loaded tables only in staging').toBe(
      true,
    );
  });
});

describe('the clickhouse-schema and writer', () => {
  const tricky = [
    ['plain', 'a,b'],
    ['quote " inside', '"quoted"'],
    [' leading and trailing spaces ', ''],
    ['tab\there', 'back\\slash'],
    ['ünïcödé ✓', "it's"],
    ['\\N', 'NULL'],
  ];

  async function viaClickHouse(target: ClickHouseTarget, dir: string): Promise<string> {
    const engine = await ClickHouseEngine.open(target);
    try {
      const rows = tricky
        .map(
          ([a, b], i) => `select ${i} as n, ${chLiteral(a as string)} as a, ${chLiteral(b as string)} as b`,
        )
        .join(' union all ');
      const path = join(dir, 'clickhouse.csv');
      await engine.writeCsv(`select * from (${rows}) order by n`, path);
      return readFileSync(path, 'utf8');
    } finally {
      await engine.close();
      await dropDatabase(target);
    }
  }

  const chLiteral = (s: string) =>
    `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\t', '\\t')}'`;

  async function viaDuckDb(dir: string): Promise<string> {
    const duck = await DuckDbEngine.open();
    try {
      const rows = tricky
        .map(
          ([a, b], i) =>
            `select ${i}::utinyint as n, '${(a as string).replaceAll("'", "''")}' as a, '${(b as string).replaceAll("'", "''")}' as b`,
        )
        .join(' union all ');
      const path = join(dir, 'duckdb.csv');
      await duck.writeCsv(`select * from (${rows}) order by n`, path);
      return readFileSync(path, 'utf8');
    } finally {
      await duck.close();
    }
  }

  it('writes CSV text byte for byte as DuckDB does (chdb)', async () => {
    const dir = tempDir();
    expect(await viaClickHouse(chdbTarget(), dir)).toBe(await viaDuckDb(dir));
  });

  it.skipIf(!CLUSTER_AVAILABLE)(
    'writes CSV text byte for byte as DuckDB does (clickhouse-server 18.16)',
    async () => {
      const dir = tempDir();
      expect(await viaClickHouse(await clusterTarget(), dir)).toBe(await viaDuckDb(dir));
    },
  );
});

describe('compareOutputs', () => {
  it('sees a changed count, a changed quality counter and a changed Parquet row', async () => {
    const dir = tempDir();
    const a = join(dir, 'a');
    await analyze({
      events: join('examples', 'small', 'connectivity_events.csv'),
      servers: join('examples', 'small', 'servers.csv'),
      out: a,
      quiet: true,
    });
    const b = join(dir, 'b');
    mkdirSync(b);
    for (const f of readdirSync(a)) copyFileSync(join(a, f), join(b, f));
    expect(await compareOutputs(a, b)).toEqual([]);

    const daily = readFileSync(join(b, 'daily_online.csv'), 'utf8');
    writeFileSync(
      join(b, 'daily_online.csv'),
      daily.replace(/,(\d+)\n/, (_, n) => `,${Number(n) + 1}\n`),
    );
    const q = JSON.parse(readFileSync(join(b, 'quality.json'), 'utf8'));
    q.rules.rule_1.device_days += 1;
    writeFileSync(join(b, 'quality.json'), JSON.stringify(q));
    const duck = await DuckDbEngine.open();
    try {
      await duck.writeParquet(
        `select device_id, user_id, case when row_number() over () = 3 then day + 1 else day end as day
         from read_parquet('${join(a, 'device_days.parquet')}')`,
        join(b, 'device_days.parquet'),
      );
    } finally {
      await duck.close();
    }
    const diffs = await compareOutputs(a, b);
    expect(diffs.map((d) => d.split(/[ :]/)[0])).toEqual([
      'daily_online.csv',
      'device_days.parquet',
      'quality.json',
    ]);
  });
});

describe('finding the nodes of a cluster', () => {
  /**
   * Servers that answer only what discovery asks: version, the cluster's
   * layout, and which node they are (is_local). `hosts` maps a URL's host:port
   * to the (shard, replica) the server at that address says it is.
   */
  function fakeServers(layout: { shard: number; host: string }[], hosts: Record<string, number | undefined>) {
    const opened: string[] = [];
    const connect = (url: string): ClickHouseConnection => {
      opened.push(url);
      const u = new URL(url);
      const me = hosts[u.host];
      const json = async (sql: string): Promise<JsonResult> => {
        if (me === undefined) throw new UsageError(`cannot reach ClickHouse at ${url} (ECONNREFUSED)`);
        if (sql.includes('version()')) return { meta: [], data: [{ v: '18.16.1' }] };
        if (sql.includes('is_local = 1'))
          return { meta: [], data: me === 0 ? [] : [{ shard_num: me, replica_num: 1 }] };
        if (sql.includes('host_name'))
          return {
            meta: [],
            data: layout.map((n) => ({ shard_num: n.shard, replica_num: 1, host_name: n.host, port: 9000 })),
          };
        throw new Error(`unexpected query ${sql}`);
      };
      return {
        label: url,
        json,
        command: async () => {},
        insertFile: async () => {},
        exportCsv: async () => {},
        withDatabase: () => connect(url),
        close: async () => {},
      };
    };
    return { connect, opened };
  }
  const layout = [
    { shard: 1, host: 'ch-a' },
    { shard: 2, host: 'ch-b' },
  ];

  it("reaches a node no --url names at its host, with the first URL's scheme, port and credentials", async () => {
    const f = fakeServers(layout, { 'ch-a:8123': 1, 'ch-b:8123': 2 });
    const c = await ClickHouseCluster.connect({
      urls: ['http://u:p@ch-b:8123'],
      cluster: 'c',
      connect: f.connect,
    });
    expect(c.nodes.map((n) => [n.shard, n.conn.label])).toEqual([
      [2, 'http://u:p@ch-b:8123'],
      [1, 'http://u:p@ch-a:8123/'],
    ]);
    expect(c.describe()).toBe('cluster c (2 shards, 2 nodes)');
    expect(c.everyShard('db', 't')).toBe("cluster('c', 'db', 't')");
  });

  it('takes the nodes from the URLs when given, whatever their order', async () => {
    const f = fakeServers(layout, { 'x:1': 2, 'y:2': 1 });
    const c = await ClickHouseCluster.connect({
      urls: ['http://x:1', 'http://y:2'],
      cluster: 'c',
      connect: f.connect,
    });
    expect(c.nodes.map((n) => [n.shard, n.conn.label])).toEqual([
      [2, 'http://x:1'],
      [1, 'http://y:2'],
    ]);
    expect(f.opened).toEqual(['http://x:1', 'http://y:2']);
  });

  it('refuses a URL that is no node of the cluster, two URLs of one node, and a node it cannot find', async () => {
    const none = fakeServers(layout, { 'x:1': 0 });
    await expect(
      ClickHouseCluster.connect({ urls: ['http://x:1'], cluster: 'c', connect: none.connect }),
    ).rejects.toThrow(/is not a node of cluster 'c'/);
    const twice = fakeServers(layout, { 'x:1': 1, 'y:2': 1 });
    await expect(
      ClickHouseCluster.connect({ urls: ['http://x:1', 'http://y:2'], cluster: 'c', connect: twice.connect }),
    ).rejects.toThrow(/two --url name the same node/);
    // Shard 2's host answers as shard 1 (or not at all): no guessing.
    for (const b of [1, undefined]) {
      const lost = fakeServers(layout, { 'ch-a:8123': 1, 'ch-b:8123': b });
      await expect(
        ClickHouseCluster.connect({ urls: ['http://ch-a:8123'], cluster: 'c', connect: lost.connect }),
      ).rejects.toThrow(
        /a node at ch-b:9000 \(shard 2, replica 1\) that no --url names.*give one --url per node/,
      );
    }
    const single = fakeServers(layout, { 'x:1': 1, 'y:2': 2 });
    await expect(
      ClickHouseCluster.connect({ urls: ['http://x:1', 'http://y:2'], connect: single.connect }),
    ).rejects.toThrow(/--cluster/);
  });
});
