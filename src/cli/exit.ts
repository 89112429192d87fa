import { CommanderError } from 'commander';
import { EXIT, InputError, UsageError } from '../util/errors.js';

/** Prints one clear line for a failure and returns the exit code (README: Exit codes). */
export function reportFailure(e: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (e instanceof InputError) {
    stderr.write(`${e.message}\n`);
    return EXIT.badInput;
  }
  if (e instanceof UsageError) {
    stderr.write(`fleetpulse: ${e.message}\n`);
    return EXIT.usage;
  }
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  const err = e as Error;
  stderr.write(`fleetpulse: internal error: ${err?.message ?? String(e)}\n`);
  if (process.env.FLEETPULSE_DEBUG) stderr.write(`${err?.stack ?? ''}\n`);
  else stderr.write('fleetpulse: set FLEETPULSE_DEBUG=1 for the stack trace; please report this as a bug\n');
  return EXIT.internal;
}
