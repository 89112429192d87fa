/**
 * A throwaway ClickHouse cluster on this machine: N `clickhouse-server`
 * processes on 127.0.0.1, each with its own config, data folder and free
 * ports, forming a `remote_servers` cluster of N one-replica shards. The
 * tests and the benchmark use it; it is also the quickest way to try
 * `fleetpulse load` / `analyze --engine clickhouse` without a real cluster.
 *
 * Each server runs under a small shell watchdog in a process group of its
 * own: stop() ends the group, and the watchdog ends the server if the Node
 * process that started it dies without calling stop().
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLICKHOUSE_SERVER = '/usr/sbin/clickhouse-server';

export interface LocalCluster {
  /** HTTP URL of each node, shard 1 first. */
  urls: string[];
  /** Each node's folder (config, data, logs, server.pid). */
  nodeDirs: string[];
  /** The remote_servers cluster name. */
  cluster: string;
  dir: string;
  /** Peak resident memory of each server so far (bytes; Linux /proc), or undefined where unknown. */
  serverPeakRss(): (number | undefined)[];
  stop(): Promise<void>;
}

function peakRss(nodeDir: string): number | undefined {
  try {
    const pid = readFileSync(join(nodeDir, 'server.pid'), 'utf8').trim();
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface LocalClusterOptions {
  shards?: number;
  cluster?: string;
  /** Folder for configs and data (default: a new temp folder, removed by stop()). */
  dir?: string;
  server?: string;
  /** Per-query memory cap of each server (bytes). */
  maxMemoryUsage?: number;
}

/** Whether a clickhouse-server binary is installed. */
export function clickHouseServerAvailable(server = CLICKHOUSE_SERVER): boolean {
  return existsSync(server);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function configXml(node: { dir: string; http: number; tcp: number }, remote: string, users: string): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${node.dir}/server.log</log>
    <errorlog>${node.dir}/server.err.log</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${node.http}</http_port>
  <tcp_port>${node.tcp}</tcp_port>
  <path>${node.dir}/data/</path>
  <tmp_path>${node.dir}/tmp/</tmp_path>
  <user_files_path>${node.dir}/user_files/</user_files_path>
  <format_schema_path>${node.dir}/format_schemas/</format_schema_path>
  <users_config>${users}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <remote_servers>
${remote}
  </remote_servers>
</yandex>
`;
}

function usersXml(maxMemoryUsage: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>${maxMemoryUsage}</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;
}

async function waitReady(url: string, child: ChildProcess, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${url}/ping`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-5).join('\n') : '';
  throw new Error(`clickhouse-server at ${url} did not start${tail ? `:\n${tail}` : ''}`);
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

/** Starts the servers and waits until every one answers. */
export async function startLocalCluster(opts: LocalClusterOptions = {}): Promise<LocalCluster> {
  const shards = opts.shards ?? 2;
  const cluster = opts.cluster ?? 'fleetpulse_local';
  const server = opts.server ?? CLICKHOUSE_SERVER;
  if (!clickHouseServerAvailable(server)) throw new Error(`${server} is not installed`);
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'fleetpulse-clickhouse-cluster-'));
  const nodes: { dir: string; http: number; tcp: number }[] = [];
  for (let i = 1; i <= shards; i++) {
    const nodeDir = join(dir, `node${i}`);
    for (const sub of ['data', 'tmp', 'user_files', 'format_schemas'])
      mkdirSync(join(nodeDir, sub), { recursive: true });
    nodes.push({ dir: nodeDir, http: await freePort(), tcp: await freePort() });
  }
  const remote = [
    `    <${cluster}>`,
    ...nodes.map(
      (n) => `      <shard><replica><host>127.0.0.1</host><port>${n.tcp}</port></replica></shard>`,
    ),
    `    </${cluster}>`,
  ].join('\n');
  const users = (n: { dir: string }) => join(n.dir, 'users.xml');
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    await Promise.all(children.map(stopGroup));
  };
  const onExit = () => {
    for (const c of children) {
      try {
        if (c.pid !== undefined && c.exitCode === null) process.kill(-c.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', onExit);
  try {
    await Promise.all(
      nodes.map(async (n) => {
        const config = join(n.dir, 'config.xml');
        writeFileSync(users(n), usersXml(opts.maxMemoryUsage ?? 4_000_000_000));
        writeFileSync(config, configXml(n, remote, users(n)));
        // The watchdog: ends the server when this Node process is gone, or
        // on SIGTERM (stop()), waiting for it to finish; then removes the
        // node's folder when it is a temporary one.
        const script =
          `"$0" --config-file="$1" >"$2" 2>&1 & s=$!; echo $s >server.pid; d="$3"; p="$4"; ` +
          `cleanup() { kill $s 2>/dev/null; wait $s; if [ -n "$d" ]; then rm -rf "$d"; rmdir "$p" 2>/dev/null; fi; exit 0; }; ` +
          `trap cleanup TERM INT; ` +
          `while kill -0 ${process.pid} 2>/dev/null && kill -0 $s 2>/dev/null; do sleep 1 & wait $!; done; ` +
          `cleanup`;
        const child = spawn(
          '/bin/sh',
          ['-c', script, server, config, join(n.dir, 'stdout.log'), ownDir ? n.dir : '', ownDir ? dir : ''],
          { cwd: n.dir, detached: true, stdio: 'ignore' },
        );
        child.unref();
        children.push(child);
        await waitReady(`http://127.0.0.1:${n.http}`, child, join(n.dir, 'server.err.log'), 60_000);
      }),
    );
  } catch (e) {
    await stopAll();
    process.removeListener('exit', onExit);
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    urls: nodes.map((n) => `http://127.0.0.1:${n.http}`),
    nodeDirs: nodes.map((n) => n.dir),
    cluster,
    dir,
    serverPeakRss: () => nodes.map((n) => peakRss(n.dir)),
    async stop() {
      await stopAll();
      process.removeListener('exit', onExit);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
