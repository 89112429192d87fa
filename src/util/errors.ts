/** Exit codes, as documented in the README. */
export const EXIT = { ok: 0, internal: 1, usage: 2, badInput: 3 } as const;

/** The user called the tool wrongly (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One problem in an input file, pinned to a line and field where there is one. */
export interface InputProblem {
  file: string;
  line?: number;
  field?: string;
  reason: string;
  text?: string;
}

export function formatProblem(p: InputProblem): string {
  if (p.line === undefined) return `${p.file}: ${p.reason}`;
  return `${p.file}:${p.line}: field ${p.field ?? 'line'}: ${p.reason}: '${p.text ?? ''}'`;
}

/** The input is bad (exit 3): the message is one line naming file, line, field and text. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly problem: InputProblem,
    readonly detail?: string,
  ) {
    super(formatProblem(problem) + (detail ? ` (${detail})` : ''));
  }
}
