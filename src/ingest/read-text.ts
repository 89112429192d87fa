import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../util/errors.js';

/** A small input file's text; a missing, unreadable file or a directory is an InputError (exit 3). */
export function readInputText(file: string): string {
  try {
    if (statSync(file).isDirectory()) throw new InputError({ file, reason: 'is a directory, not a file' });
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError({ file, reason: code === 'ENOENT' ? 'no such file' : `cannot read (${code})` });
  }
}
