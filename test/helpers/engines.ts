/**
 * The engines the SPEC tests run against. Each SPEC test file loops over this
 * list (describe.each), so a new engine (the distributed ClickHouse one) is
 * tested by adding one entry here: an `open` that returns a fresh `Engine`
 * (src/engine/engine.ts) for one run. The harness passes it to
 * `analyze({ engine })` and closes it after the run. `open` gets the run's
 * input files, for an engine that loads them beforehand (Engine.loaded).
 */
import type { Engine } from '../../src/engine/engine.js';
import {
  CLUSTER_AVAILABLE,
  CLUSTER_SKIP_REASON,
  chdbTarget,
  clusterTarget,
  LoadingClickHouseEngine,
} from './clickhouse.js';

export interface EngineInputs {
  events: string;
  servers: string;
  maxRejects?: number;
}

export interface EngineUnderTest {
  /** Shown in test names. */
  name: string;
  /** A fresh engine for one run; undefined: analyze()'s default (a fresh embedded DuckDB). */
  open?: (inputs: EngineInputs) => Promise<Engine>;
}

export const ENGINES: EngineUnderTest[] = [
  { name: 'duckdb' },
  // ClickHouse (test/helpers/clickhouse.ts): analyze() loads the run's files
  // with `fleetpulse load`'s code (its bad-input policy, its rejects path),
  // then analyzes them. 'clickhouse-chdb': the modern dialect, in process;
  // 'clickhouse-cluster': two Debian clickhouse-server 18.16 processes forming
  // a two-shard cluster (left out, with a warning, where it is not installed).
  { name: 'clickhouse-chdb', open: () => LoadingClickHouseEngine.open(chdbTarget()) },
  ...(CLUSTER_AVAILABLE
    ? [{ name: 'clickhouse-cluster', open: async () => LoadingClickHouseEngine.open(await clusterTarget()) }]
    : []),
];
if (!CLUSTER_AVAILABLE) console.warn(CLUSTER_SKIP_REASON);
