import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { InputError } from '../util/errors.js';

/** What we learn about a CSV input before the engine reads it. */
export interface InputFile {
  path: string;
  /** Name shown in messages: the path as the user gave it. */
  label: string;
  gzip: boolean;
  header: boolean;
  newLine: '\n' | '\r\n';
  sizeBytes: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Reads the start of the file (decompressed): its first line, and whether any
 * line within the first 64 KiB holds data (a file of blank lines is empty).
 */
async function firstLines(path: string, gzip: boolean): Promise<{ first: string; hasData: boolean }> {
  const stream = gzip ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  let acc = '';
  let complete = true;
  try {
    for await (const chunk of stream) {
      acc += chunk.toString('utf8');
      // Enough once a line with data has ended; past 64 KiB the engine counts.
      if (/\S[^\n]*\n/.test(acc) || acc.length > 1 << 16) {
        complete = false;
        break;
      }
    }
  } catch (e) {
    throw new InputError({ file: path, reason: `cannot read (${(e as Error).message})` });
  } finally {
    stream.destroy();
  }
  const nl = acc.indexOf('\n');
  const hasData = !complete || acc.replace(/^\uFEFF/, '').trim() !== '';
  return { first: nl >= 0 ? acc.slice(0, nl + 1) : acc, hasData };
}

/**
 * Checks that `path` is a readable, non-empty file and detects gzip (by its
 * magic bytes, not its name), line endings and an optional header row whose
 * first field is `headerFirstField`.
 */
export async function inspectInput(path: string, headerFirstField: string): Promise<InputFile> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`;
    throw new InputError({ file: path, reason });
  }
  if (info.isDirectory()) throw new InputError({ file: path, reason: 'is a directory, not a file' });
  if (!info.isFile()) throw new InputError({ file: path, reason: 'is not a regular file' });
  if (info.size === 0) throw new InputError({ file: path, reason: 'empty file' });
  let magic: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      magic = Buffer.alloc(2);
      await fh.read(magic, 0, 2, 0);
    } finally {
      await fh.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError({ file: path, reason: `cannot read (${code ?? (e as Error).message})` });
  }
  const gzip = info.size >= 2 && magic[0] === GZIP_MAGIC[0] && magic[1] === GZIP_MAGIC[1];
  const { first, hasData } = await firstLines(path, gzip);
  if (!hasData) throw new InputError({ file: path, reason: 'empty file' });
  const text = first.replace(/^\uFEFF/, '');
  const newLine = text.endsWith('\r\n') ? '\r\n' : '\n';
  const firstField = (text.split(',')[0] ?? '').trim().toLowerCase();
  return { path, label: path, gzip, header: firstField === headerFirstField, newLine, sizeBytes: info.size };
}
