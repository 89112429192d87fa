import type { InputFile } from '../ingest/input-file.js';
import type { LoadedInputs } from '../repair/clean-view.js';
import type { Model, ModelParams } from './models.js';

/** A row of a small result, with BIGINTs as JS bigint. */
export type Row = Record<string, unknown>;

/** Where a long engine step reports how far it is (0..1). */
export type ProgressSink = (fraction: number) => void;

/**
 * What the pipeline needs from a SQL engine. The embedded engine (DuckDB) and
 * the distributed one run the same models from their own dialect folder, so
 * the orchestration and the tests are shared.
 */
export interface Engine {
  readonly dialect: string;
  /**
   * Set by an engine whose inputs were loaded beforehand (ClickHouse, by
   * `fleetpulse load`): analyze() then reads no file (see LoadedInputs).
   */
  readonly loaded?: LoadedInputs;
  /** The parameters a staging model needs to read one input file. */
  inputParams(file: InputFile): ModelParams;
  /** Builds one model (a table or a view) with the given parameters. */
  build(model: Model, params: ModelParams, progress?: ProgressSink): Promise<void>;
  /**
   * Called once the events are paired (the one big sort is done): an engine
   * may then trade a little speed for a lower memory peak.
   */
  afterPairing?(): Promise<void>;
  /** Drops a table the pipeline no longer needs, to free memory. */
  drop(name: string): Promise<void>;
  /** Runs a query whose result is small (counters, bounds, reject lines). */
  query(sql: string): Promise<Row[]>;
  /** Writes a table or query as CSV with a header row. */
  writeCsv(sqlOrTable: string, path: string): Promise<void>;
  /** Writes a table or query as Parquet; its rows are a set (their order is not kept). */
  writeParquet(sqlOrTable: string, path: string): Promise<void>;
  close(): Promise<void>;
}
