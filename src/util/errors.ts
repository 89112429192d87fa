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

/**
 * The engine could not read an input file at all (bad encoding, stray control
 * characters, mixed line endings). The pipeline adds which file it was.
 */
export class UnreadableInputError extends Error {
  override name = 'UnreadableInputError';
  constructor(
    readonly reason: string,
    readonly line?: number,
    readonly text?: string,
  ) {
    super(reason);
  }

  /** The same problem as an InputError naming the file. */
  inFile(file: string): InputError {
    if (this.line === undefined) return new InputError({ file, reason: this.reason });
    return new InputError({ file, line: this.line, field: 'line', reason: this.reason, text: this.text });
  }
}

/** Runs `work`; an unreadable-input failure is reported against `file`. */
export async function readingFile<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof UnreadableInputError) throw e.inFile(file);
    throw e;
  }
}
