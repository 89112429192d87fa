import type { Engine } from '../engine/engine.js';
import { loadModel } from '../engine/models.js';
import { InputError } from '../util/errors.js';
import type { InputFile } from './input-file.js';

export interface RejectSummary {
  events: number;
  servers: number;
  /** Written only when the user asked for tolerance (--max-rejects). */
  rejectsFile?: string;
}

/**
 * Applies the bad-input policy: with no tolerance the first bad line stops the
 * run; with `maxRejects` every bad line goes verbatim to rejects.csv, and more
 * than `maxRejects` of them still stop the run (rejects.csv is written anyway,
 * so the user sees all of them at once).
 */
export async function enforceRejects(
  engine: Engine,
  inputs: { events: InputFile; servers: InputFile },
  counts: { events: number; servers: number },
  maxRejects: number | undefined,
  rejectsPath: string,
  /** Where a failed run leaves the full list (named in the message). */
  failedRunPath = rejectsPath,
): Promise<RejectSummary> {
  const total = counts.events + counts.servers;
  if (total === 0) return { events: 0, servers: 0 };
  await engine.build(loadModel(engine.dialect, 'marts', 'rejects'), {
    events_label: inputs.events.label,
    servers_label: inputs.servers.label,
    events_header_lines: inputs.events.header ? 1 : 0,
  });
  if (maxRejects !== undefined) await engine.writeCsv('rejects', rejectsPath);
  const [first] = await engine.query('select * from rejects limit 1');
  if (!first) throw new Error(`${total} bad lines were counted but none was found again`);
  const problem = {
    file: String(first.file),
    line: Number(first.line_number),
    field: String(first.field),
    reason: String(first.reason),
    text: String(first.value),
  };
  if (maxRejects === undefined) throw new InputError(problem);
  if (total > maxRejects) {
    throw new InputError(
      problem,
      `${total} rejected lines exceed --max-rejects ${maxRejects}; all of them are listed in ${failedRunPath}`,
    );
  }
  return { events: counts.events, servers: counts.servers, rejectsFile: rejectsPath };
}
