import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One SQL model: a file named for the table (or view) it produces. */
export interface Model {
  name: string;
  layer: 'staging' | 'intermediate' | 'marts';
  materialized: 'table' | 'view';
  sql: string;
}

/** A model parameter: rendered into the SQL as a literal. */
export type ParamValue = string | number | bigint | boolean | null | { sql: string };
export type ModelParams = Record<string, ParamValue>;

export const MODELS_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models');

function modelPath(dialect: string, layer: Model['layer'], name: string): string {
  return join(MODELS_ROOT, dialect, layer, `${name}.sql`);
}

/** Whether a dialect has a model (a step one dialect needs and another does without). */
export function hasModel(dialect: string, layer: Model['layer'], name: string): boolean {
  return existsSync(modelPath(dialect, layer, name));
}

/** Loads `models/<dialect>/<layer>/<name>.sql`. */
export function loadModel(dialect: string, layer: Model['layer'], name: string): Model {
  const path = modelPath(dialect, layer, name);
  const sql = readFileSync(path, 'utf8');
  const m = /^--\s*materialized:\s*(table|view)\s*$/m.exec(sql);
  if (!m) throw new Error(`model ${path} lacks a '-- materialized: table|view' line`);
  return { name, layer, materialized: m[1] as Model['materialized'], sql };
}

function literal(v: ParamValue): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return v.sql;
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** Replaces every `{{ name }}` with the parameter's SQL literal; a missing one is a bug. */
export function renderSql(model: Model, params: ModelParams): string {
  return model.sql.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) => {
    if (!(key in params)) throw new Error(`model ${model.name} needs parameter '${key}'`);
    return literal(params[key] as ParamValue);
  });
}
