import { UsageError } from '../util/errors.js';
import {
  type ClickHouseConnection,
  chString,
  HttpConnection,
  parseServerUrl,
} from './clickhouse-connection.js';

/** Where the ClickHouse servers are: what `--url`, `--cluster` and `--database` say. */
export interface ClickHouseTarget {
  /**
   * HTTP URLs of the servers. The first is the entry node (queries, the
   * Distributed insert); with a cluster, the others name the remaining nodes
   * (any node missing here is reached at its host from system.clusters with
   * the entry URL's scheme, port and credentials).
   */
  urls: string[];
  /** A cluster of the servers' remote_servers configuration; none: one server. */
  cluster?: string;
  /** The database that holds the loaded export (default `fleetpulse`). */
  database?: string;
  /** Opens a connection to one URL (tests: an in-process ClickHouse). */
  connect?: (url: string) => ClickHouseConnection;
}

export const DEFAULT_DATABASE = 'fleetpulse';

/** One server of the cluster, with its place in remote_servers. */
export interface ClusterNode {
  conn: ClickHouseConnection;
  shard: number;
  replica: number;
}

/**
 * The servers the tool works on: one server, or every node of a cluster.
 * ClickHouse without ZooKeeper / Keeper (Debian's 18.16 as shipped) has no
 * `ON CLUSTER` DDL, so the tool creates tables on each node itself, over a
 * connection to each; queries over all shards use `cluster()`.
 */
export class ClickHouseCluster {
  private constructor(
    /** The remote_servers cluster, or undefined for a single server. */
    readonly name: string | undefined,
    /** Every node, the entry node first. */
    readonly nodes: ClusterNode[],
    readonly version: string,
  ) {}

  get entry(): ClickHouseConnection {
    return (this.nodes[0] as ClusterNode).conn;
  }

  get shardCount(): number {
    return new Set(this.nodes.map((n) => n.shard)).size;
  }

  /** A short description for messages: "cluster c (2 shards, 2 nodes)" or the URL. */
  describe(): string {
    if (!this.name) return this.entry.label;
    const s = this.shardCount;
    return `cluster ${this.name} (${s} shard${s === 1 ? '' : 's'}, ${this.nodes.length} node${this.nodes.length === 1 ? '' : 's'})`;
  }

  static async connect(target: ClickHouseTarget): Promise<ClickHouseCluster> {
    const connect = target.connect ?? ((url: string) => HttpConnection.fromUrl(url));
    if (target.urls.length === 0) throw new UsageError('--url is required with --engine clickhouse');
    const opened: ClickHouseConnection[] = [];
    const open = (url: string) => {
      const c = connect(url);
      opened.push(c);
      return c;
    };
    try {
      const entry = open(target.urls[0] as string);
      const [v] = (await entry.json('select version() as v')).data;
      const version = String(v?.v ?? '');
      if (target.cluster === undefined) {
        if (target.urls.length > 1)
          throw new UsageError(
            'several --url name several servers: say which cluster they form with --cluster',
          );
        return new ClickHouseCluster(undefined, [{ conn: entry, shard: 1, replica: 1 }], version);
      }
      const nodes = await ClickHouseCluster.discover(target, entry, open);
      return new ClickHouseCluster(target.cluster, nodes, version);
    } catch (e) {
      await Promise.allSettled(opened.map((c) => c.close()));
      throw e;
    }
  }

  /** Matches every node of the cluster (system.clusters) with a connection to it. */
  private static async discover(
    target: ClickHouseTarget,
    entry: ClickHouseConnection,
    open: (url: string) => ClickHouseConnection,
  ): Promise<ClusterNode[]> {
    const name = target.cluster as string;
    const layout = (
      await entry.json(
        `select shard_num, replica_num, host_name, port from system.clusters where cluster = ${chString(name)} order by shard_num, replica_num`,
      )
    ).data.map((r) => ({
      shard: Number(r.shard_num),
      replica: Number(r.replica_num),
      host: String(r.host_name),
      port: Number(r.port),
    }));
    if (layout.length === 0)
      throw new UsageError(`ClickHouse at ${entry.label} has no cluster '${name}' in its remote_servers`);
    const key = (shard: number, replica: number) => `${shard}/${replica}`;
    // Each server says which node of the cluster it is (is_local).
    const whoIs = async (conn: ClickHouseConnection) => {
      const rows = (
        await conn.json(
          `select shard_num, replica_num from system.clusters where cluster = ${chString(name)} and is_local = 1`,
        )
      ).data;
      return rows.length === 1 ? key(Number(rows[0]?.shard_num), Number(rows[0]?.replica_num)) : undefined;
    };
    const found = new Map<string, ClickHouseConnection>();
    const given = [entry, ...target.urls.slice(1).map(open)];
    for (const conn of given) {
      const id = await whoIs(conn);
      if (id === undefined)
        throw new UsageError(
          `ClickHouse at ${conn.label} is not a node of cluster '${name}' (its system.clusters marks no node as local)`,
        );
      if (found.has(id))
        throw new UsageError(`two --url name the same node of cluster '${name}' (shard/replica ${id})`);
      found.set(id, conn);
    }
    const entryUrl = parseServerUrl(target.urls[0] as string);
    for (const n of layout) {
      const id = key(n.shard, n.replica);
      if (found.has(id)) continue;
      // Not given: the usual layout, every node on its own host with the same HTTP port.
      const u = new URL(entryUrl.href);
      u.hostname = n.host;
      const conn = open(u.href);
      let got: string | undefined;
      try {
        got = await whoIs(conn);
      } catch {
        got = undefined;
      }
      if (got !== id)
        throw new UsageError(
          `cluster '${name}' has a node at ${n.host}:${n.port} (shard ${n.shard}, replica ${n.replica}) ` +
            `that no --url names, and it is not at ${conn.label}: give one --url per node`,
        );
      found.set(id, conn);
    }
    const nodes = layout.map((n) => ({
      conn: found.get(key(n.shard, n.replica)) as ClickHouseConnection,
      shard: n.shard,
      replica: n.replica,
    }));
    // The entry node first: it is the one `entry` means.
    return [...nodes.filter((n) => n.conn === entry), ...nodes.filter((n) => n.conn !== entry)];
  }

  /** Runs `work` on every node at once. */
  everyNode<T>(work: (conn: ClickHouseConnection, node: ClusterNode) => Promise<T>): Promise<T[]> {
    return Promise.all(this.nodes.map((n) => work(n.conn, n)));
  }

  /**
   * A FROM source with the rows of `db.table` on every shard: `cluster()`
   * (one replica per shard), or the table itself on a single server.
   */
  everyShard(db: string, table: string): string {
    if (!this.name) return `${db}.${table}`;
    return `cluster(${chString(this.name)}, ${chString(db)}, ${chString(table)})`;
  }

  /** The same nodes with another current database. */
  withDatabase(db: string): ClickHouseCluster {
    return new ClickHouseCluster(
      this.name,
      this.nodes.map((n) => ({ ...n, conn: n.conn.withDatabase(db) })),
      this.version,
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.nodes.map((n) => n.conn.close()));
  }
}
