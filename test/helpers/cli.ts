/** Runs the real CLI (bin/fleetpulse, which loads the compiled dist/) in a child process. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'fleetpulse');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Fails clearly when the CLI has not been compiled (npm test runs tsc first). */
export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` before the CLI tests');
}

/** Where `setpriv` is, to run the CLI without root's file-permission override when the tests run as root. */
export const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
export const IS_ROOT = process.getuid?.() === 0;

/**
 * dist/ is rebuilt by `tsc` while other work goes on in the same tree; a run that
 * catches it half-written fails to load its modules. Such a run is retried (a
 * build that is really broken still fails after the retries).
 */
const HALF_BUILT = /SyntaxError: The requested module|ERR_MODULE_NOT_FOUND|Cannot find module/;

export async function cli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; withoutFileOverride?: boolean } = {},
): Promise<CliResult> {
  let r = await cliOnce(args, opts);
  for (let attempt = 0; attempt < 3 && r.code !== 0 && HALF_BUILT.test(r.stderr); attempt++) {
    await new Promise((res) => setTimeout(res, 3000));
    r = await cliOnce(args, opts);
  }
  return r;
}

function cliOnce(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; withoutFileOverride?: boolean },
): Promise<CliResult> {
  const [cmd, pre] =
    opts.withoutFileOverride && IS_ROOT && SETPRIV
      ? // Still root, so the checkout is reachable wherever it lives (a 0700
        // temp folder included), but mode bits now bind: chmod 000 is unreadable.
        [
          SETPRIV,
          [
            '--inh-caps=-dac_override,-dac_read_search',
            '--bounding-set=-dac_override,-dac_read_search',
            process.execPath,
          ],
        ]
      : [process.execPath, []];
  return new Promise((resolve) => {
    execFile(
      cmd,
      [...pre, BIN, ...args],
      { cwd: opts.cwd, env: { ...process.env, FLEETPULSE_DEBUG: '', ...opts.env }, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Non-empty lines of a text. */
export function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l !== '');
}

/** A small RFC 4180 CSV parser (quoted fields, doubled quotes, commas and newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
