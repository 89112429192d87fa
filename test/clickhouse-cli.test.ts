/**
 * `fleetpulse load` and `fleetpulse analyze --engine clickhouse` through the
 * real CLI (bin/fleetpulse, compiled dist/) against the two-shard cluster of
 * Debian clickhouse-server processes: the same outputs, messages, exit codes
 * and rejects files as the embedded engine; loading twice replaces; a bad
 * file leaves the loaded export as it was.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpConnection } from '../src/engine/clickhouse-connection.js';
import { assertBuilt, cli } from './helpers/cli.js';
import {
  CLUSTER_AVAILABLE,
  CLUSTER_SKIP_REASON,
  clusterTarget,
  compareOutputs,
  dropDatabase,
  freshDatabase,
} from './helpers/clickhouse.js';
import { removeTempDirs, tempDir } from './helpers/fixtures.js';

afterAll(removeTempDirs);

const SMALL_EVENTS = resolve('examples', 'small', 'connectivity_events.csv');
const SMALL_SERVERS = resolve('examples', 'small', 'servers.csv');

describe('load --help', () => {
  it('lists its options', async () => {
    assertBuilt();
    const r = await cli(['load', '--help']);
    expect(r.code).toBe(0);
    for (const o of [
      '--engine',
      '--url',
      '--cluster',
      '--database',
      '--events',
      '--servers',
      '--max-rejects',
      '--rejects',
      '--quiet',
    ])
      expect(r.stdout).toContain(o);
    const a = await cli(['analyze', '--help']);
    for (const o of ['--engine', '--url', '--cluster', '--database']) expect(a.stdout).toContain(o);
  });
});

describe('usage errors without a server: exit 2', () => {
  const cases: { name: string; args: string[]; message: RegExp }[] = [
    {
      name: 'analyze --engine clickhouse with --events',
      args: [
        'analyze',
        '--engine',
        'clickhouse',
        '--url',
        'http://127.0.0.1:1',
        '--events',
        SMALL_EVENTS,
        '--out',
        'o',
      ],
      message: /give --events and --servers to load/,
    },
    {
      name: 'analyze --engine clickhouse without --url',
      args: ['analyze', '--engine', 'clickhouse', '--out', 'o'],
      message: /--url/,
    },
    {
      name: 'analyze (duckdb) with --url',
      args: [
        'analyze',
        '--events',
        SMALL_EVENTS,
        '--servers',
        SMALL_SERVERS,
        '--url',
        'http://x:1',
        '--out',
        'o',
      ],
      message: /--engine clickhouse/,
    },
    {
      name: 'load --engine duckdb',
      args: [
        'load',
        '--engine',
        'duckdb',
        '--url',
        'http://127.0.0.1:1',
        '--events',
        SMALL_EVENTS,
        '--servers',
        SMALL_SERVERS,
      ],
      message: /duckdb/,
    },
    {
      name: 'a closed port',
      args: ['load', '--url', 'http://127.0.0.1:1', '--events', SMALL_EVENTS, '--servers', SMALL_SERVERS],
      message: /cannot reach ClickHouse at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/,
    },
    {
      name: 'not a URL',
      args: ['load', '--url', 'localhost', '--events', SMALL_EVENTS, '--servers', SMALL_SERVERS],
      message: /not a URL|only http/,
    },
    {
      name: 'a database name that is not an identifier',
      args: [
        'load',
        '--url',
        'http://127.0.0.1:1',
        '--database',
        'a-b',
        '--events',
        SMALL_EVENTS,
        '--servers',
        SMALL_SERVERS,
      ],
      message: /--database 'a-b'/,
    },
  ];
  it.each(cases)('$name', async (c) => {
    assertBuilt();
    const dir = tempDir();
    const r = await cli(c.args, { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(c.message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

describe.skipIf(!CLUSTER_AVAILABLE)('load and analyze --engine clickhouse on a two-shard cluster', () => {
  let urls: string[] = [];
  let clusterName = '';
  const database = freshDatabase('fp_cli');
  const target = () => [
    ...urls.flatMap((u) => ['--url', u]),
    '--cluster',
    clusterName,
    '--database',
    database,
  ];

  beforeAll(async () => {
    assertBuilt();
    const t = await clusterTarget(database);
    urls = t.urls;
    clusterName = t.cluster as string;
  });
  afterAll(async () => {
    if (urls.length) await dropDatabase({ urls, cluster: clusterName, database });
  });

  async function eventCount(): Promise<number> {
    const c = HttpConnection.fromUrl(urls[0] as string);
    try {
      const [r] = (await c.json(`select count() as n from ${database}.events`)).data;
      return Number(r?.n);
    } finally {
      await c.close();
    }
  }

  it('load then analyze writes what the embedded engine writes; loading again replaces', async () => {
    const dir = tempDir();
    const l1 = await cli(['load', ...target(), '--events', SMALL_EVENTS, '--servers', SMALL_SERVERS], {
      cwd: dir,
    });
    expect(l1.code, l1.stderr).toBe(0);
    expect(l1.stdout).toBe(
      `loaded into database ${database} on cluster ${clusterName} (2 shards, 2 nodes): 30 events, 3 servers\n`,
    );
    expect(await eventCount()).toBe(30);
    const l2 = await cli(
      ['load', ...target(), '--events', SMALL_EVENTS, '--servers', SMALL_SERVERS, '--quiet'],
      {
        cwd: dir,
      },
    );
    expect(l2.code, l2.stderr).toBe(0);
    expect(l2.stdout).toBe('');
    expect(await eventCount()).toBe(30);

    const a = await cli(
      ['analyze', '--engine', 'clickhouse', ...target(), '--out', 'ch', '--as-of', '2018-02-20'],
      {
        cwd: dir,
      },
    );
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe('ch\n');
    const d = await cli(
      [
        'analyze',
        '--events',
        SMALL_EVENTS,
        '--servers',
        SMALL_SERVERS,
        '--out',
        'duck',
        '--as-of',
        '2018-02-20',
        '--quiet',
      ],
      { cwd: dir },
    );
    expect(d.code, d.stderr).toBe(0);
    expect(await compareOutputs(join(dir, 'duck'), join(dir, 'ch'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'ch', 'quality.json'), 'utf8')).tool.engine).toBe('clickhouse');
  });

  it('without --cluster, one server: load and analyze on a single node', async () => {
    const dir = tempDir();
    const single = { urls: [urls[1] as string], database: freshDatabase('fp_cli_single') };
    const args = ['--url', single.urls[0] as string, '--database', single.database];
    try {
      const l = await cli(['load', ...args, '--events', SMALL_EVENTS, '--servers', SMALL_SERVERS], {
        cwd: dir,
      });
      expect(l.code, l.stderr).toBe(0);
      expect(l.stdout).toBe(
        `loaded into database ${single.database} on ${single.urls[0]}: 30 events, 3 servers\n`,
      );
      const a = await cli(['analyze', '--engine', 'clickhouse', ...args, '--out', 'ch', '--quiet'], {
        cwd: dir,
      });
      expect(a.code, a.stderr).toBe(0);
      const d = await cli(
        ['analyze', '--events', SMALL_EVENTS, '--servers', SMALL_SERVERS, '--out', 'duck', '--quiet'],
        {
          cwd: dir,
        },
      );
      expect(d.code, d.stderr).toBe(0);
      expect(await compareOutputs(join(dir, 'duck'), join(dir, 'ch'))).toEqual([]);
    } finally {
      await dropDatabase(single);
    }
  });

  it("a bad line: load stops with analyze's message and exit code, and the loaded export stays", async () => {
    const dir = tempDir();
    const lines = readFileSync(SMALL_EVENTS, 'utf8').split('\n');
    lines[2] = '2018-02-30 10:00:00,102,11,1,true';
    lines[6] = '2018-02-03 10:00:00,100,10,1,yes';
    const events = join(dir, 'events.csv');
    writeFileSync(events, lines.join('\n'));
    const good = await cli([
      'load',
      ...target(),
      '--events',
      SMALL_EVENTS,
      '--servers',
      SMALL_SERVERS,
      '--quiet',
    ]);
    expect(good.code, good.stderr).toBe(0);
    const before = await eventCount();
    expect(before).toBe(30);

    const duck = await cli(
      ['analyze', '--events', events, '--servers', SMALL_SERVERS, '--out', 'o', '--quiet'],
      {
        cwd: dir,
      },
    );
    const load = await cli(['load', ...target(), '--events', events, '--servers', SMALL_SERVERS, '--quiet'], {
      cwd: dir,
    });
    expect(duck.code).toBe(3);
    expect(load.code).toBe(3);
    expect(load.stderr).toBe(duck.stderr);
    expect(load.stderr).toBe(`${events}:3: field timestamp: bad timestamp: '2018-02-30 10:00:00'\n`);
    expect(await eventCount()).toBe(before);

    // Tolerated: the rejects file is analyze's, and analyze --engine clickhouse applies the same policy.
    const tolerant = await cli(
      [
        'load',
        ...target(),
        '--events',
        events,
        '--servers',
        SMALL_SERVERS,
        '--max-rejects',
        '2',
        '--rejects',
        'r.csv',
      ],
      { cwd: dir },
    );
    expect(tolerant.code, tolerant.stderr).toBe(0);
    expect(tolerant.stdout).toMatch(/: 28 events, 3 servers; 2 rejected lines in r\.csv\n$/);
    const duckTolerant = await cli(
      [
        'analyze',
        '--events',
        events,
        '--servers',
        SMALL_SERVERS,
        '--out',
        'duck',
        '--max-rejects',
        '2',
        '--quiet',
      ],
      { cwd: dir },
    );
    expect(duckTolerant.code, duckTolerant.stderr).toBe(0);
    const rejects = readFileSync(join(dir, 'duck', 'rejects.csv'), 'utf8');
    expect(readFileSync(join(dir, 'r.csv'), 'utf8')).toBe(rejects);
    expect(rejects.split('\n')).toHaveLength(4);

    const ch = await cli(
      ['analyze', '--engine', 'clickhouse', ...target(), '--out', 'ch', '--max-rejects', '2', '--quiet'],
      {
        cwd: dir,
      },
    );
    expect(ch.code, ch.stderr).toBe(0);
    expect(await compareOutputs(join(dir, 'duck'), join(dir, 'ch'))).toEqual([]);

    const strict = await cli(['analyze', '--engine', 'clickhouse', ...target(), '--out', 'ch2', '--quiet'], {
      cwd: dir,
    });
    expect(strict.code).toBe(3);
    expect(strict.stderr).toBe(duck.stderr);

    // Too many: refused like analyze (the rejects file is written anyway), nothing replaced.
    const tooMany = await cli(
      [
        'load',
        ...target(),
        '--events',
        events,
        '--servers',
        SMALL_SERVERS,
        '--max-rejects',
        '1',
        '--rejects',
        'r2.csv',
        '--quiet',
      ],
      { cwd: dir },
    );
    const duckTooMany = await cli(
      [
        'analyze',
        '--events',
        events,
        '--servers',
        SMALL_SERVERS,
        '--out',
        'o3',
        '--max-rejects',
        '1',
        '--quiet',
      ],
      { cwd: dir },
    );
    expect(tooMany.code).toBe(3);
    expect(duckTooMany.code).toBe(3);
    const cut = (s: string) => s.replace(/; all of them are listed in .*$/s, '');
    expect(cut(tooMany.stderr)).toBe(cut(duckTooMany.stderr));
    expect(tooMany.stderr).toContain('all of them are listed in r2.csv');
    expect(readFileSync(join(dir, 'r2.csv'), 'utf8')).toBe(rejects);
    expect(await eventCount()).toBe(28);
  });

  it('analyze --engine clickhouse refuses what it cannot analyze', async () => {
    const dir = tempDir();
    const empty = freshDatabase('fp_cli_empty');
    const none = await cli(
      [
        'analyze',
        '--engine',
        'clickhouse',
        ...urls.flatMap((u) => ['--url', u]),
        '--cluster',
        clusterName,
        '--database',
        empty,
        '--out',
        'o',
      ],
      { cwd: dir },
    );
    expect(none.code, none.stderr).toBe(2);
    expect(none.stderr).toMatch(/holds no loaded export: run `fleetpulse load` first/);
    await dropDatabase({ urls, database: empty });

    const single = await cli(
      ['analyze', '--engine', 'clickhouse', '--url', urls[0] as string, '--database', database, '--out', 'o'],
      {
        cwd: dir,
      },
    );
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(/was loaded on cluster .* analyze it the same way \(--cluster /);

    const unknown = await cli(
      ['analyze', '--engine', 'clickhouse', '--url', urls[0] as string, '--cluster', 'nope', '--out', 'o'],
      {
        cwd: dir,
      },
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/has no cluster 'nope'/);

    // Both nodes are on 127.0.0.1 with their own ports: the second cannot be guessed from the first URL.
    const oneUrl = await cli(
      [
        'analyze',
        '--engine',
        'clickhouse',
        '--url',
        urls[0] as string,
        '--cluster',
        clusterName,
        '--database',
        database,
        '--out',
        'o',
      ],
      { cwd: dir },
    );
    expect(oneUrl.code).toBe(2);
    expect(oneUrl.stderr).toMatch(/no --url names, .*give one --url per node/);
  });
});

if (!CLUSTER_AVAILABLE) {
  describe('load and analyze --engine clickhouse on a two-shard cluster', () => {
    it.skip(CLUSTER_SKIP_REASON, () => {});
  });
}
