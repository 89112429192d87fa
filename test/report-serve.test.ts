import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/serve/server.js';
import { InputError } from '../src/util/errors.js';
import { writeSyntheticRun } from './helpers/browser.js';

const ROOT = join(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'fleetpulse-serve-test-'));
const dir = join(tmp, 'run');

/** A request sent exactly as written: no URL normalisation (fetch would collapse `/../`). */
function raw(
  base: string,
  path: string,
  opts: { method?: string; host?: string } = {},
): Promise<{ status: number; type: string; body: string; headers: Record<string, unknown> }> {
  const u = new URL(base);
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.host ? { Host: opts.host } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          ok({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', fail);
    req.end();
  });
}

let server: RunningServer;
beforeAll(async () => {
  await writeSyntheticRun(dir, { days: 60 });
  server = await startServer({ inDir: dir, port: 0 });
});
afterAll(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the dashboard server (no browser)', () => {
  it('binds 127.0.0.1 on a free port when asked for port 0', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.url).not.toMatch(/:0\/$/);
  });

  it('serves the page, its script, stylesheet, the three libraries and the data', async () => {
    const page = await raw(server.url, '/');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'; script-src 'self'/);
    for (const src of page.body.match(/(?:src|href)="[^"]+"/g) ?? []) {
      const path = src.replace(/^(?:src|href)="/, '').replace(/"$/, '');
      if (path.startsWith('data:')) continue;
      expect(path.startsWith('http'), path).toBe(false);
      const r = await raw(server.url, `/${path}`);
      expect(r.status, path).toBe(200);
    }
    const vega = await raw(server.url, '/vendor/vega.min.js');
    expect(vega.type).toBe('text/javascript; charset=utf-8');
    expect(vega.body).toBe(readFileSync(join(ROOT, 'node_modules/vega/build/vega.min.js'), 'utf8'));
  });

  it('the data holds exactly the rows of the two CSV files', async () => {
    const r = await raw(server.url, '/data/dashboard.json');
    expect(r.status).toBe(200);
    const p = JSON.parse(r.body);
    for (const [kind, file] of [
      ['daily', 'daily_online.csv'],
      ['rolling28', 'rolling28_online.csv'],
    ] as const) {
      const csv = readFileSync(join(dir, file), 'utf8').trim().split('\n');
      const header = csv[0]?.split(',') ?? [];
      const asCsv = (p[kind] as Record<string, unknown>[]).map((row) => header.map((h) => row[h]).join(','));
      expect(asCsv).toEqual(csv.slice(1));
    }
    expect(p.sections.map((s: { id: string }) => s.id)).toEqual([
      'headline',
      'online',
      'quality',
      'methodology',
    ]);
  });

  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/%2E%2E/%2E%2E/etc/passwd',
    '/assets/../../x',
    '/vendor/../../package.json',
    '/vendor/..%2f..%2fpackage.json',
    '/vendor/',
    '/vendor',
    '/data/',
    '/data/../quality.json',
    '/quality.json',
    '/daily_online.csv',
    '//etc/passwd',
    '/app.js/',
    '/index.html%00',
    '/node_modules/vega/package.json',
    '/charts/daily_online.png',
  ])('%s is a 404', async (path) => {
    const r = await raw(server.url, path);
    expect(r.status).toBe(404);
    expect(r.body).toBe('not found\n');
  });

  it('no directory listing: / is the page, nothing else lists files', async () => {
    const r = await raw(server.url, '/');
    expect(r.body).not.toMatch(/daily_online\.csv|quality\.json|Index of/);
  });

  it('only GET and HEAD', async () => {
    expect((await raw(server.url, '/', { method: 'POST' })).status).toBe(405);
    expect((await raw(server.url, '/app.js', { method: 'DELETE' })).status).toBe(405);
    const head = await raw(server.url, '/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(1000);
  });

  it('answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    expect((await raw(server.url, '/', { host: 'evil.example:80' })).status).toBe(403);
    const port = new URL(server.url).port;
    expect((await raw(server.url, '/', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('--host 127.0.0.2: its own URL is answered, other names are not', async () => {
    const s = await startServer({ inDir: dir, port: 0, host: '127.0.0.2' });
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/$/);
      expect((await raw(s.url, '/')).status).toBe(200);
      expect((await raw(s.url, '/', { host: 'evil.example' })).status).toBe(403);
    } finally {
      await s.close();
    }
  });

  it('a run folder without quality.json fails before listening, naming the file', async () => {
    const bad = join(tmp, 'bad');
    await writeSyntheticRun(bad, { days: 30 });
    rmSync(join(bad, 'quality.json'));
    await expect(startServer({ inDir: bad, port: 0 })).rejects.toThrow(InputError);
    await expect(startServer({ inDir: bad, port: 0 })).rejects.toThrow(
      `${join(bad, 'quality.json')}: missing`,
    );
  });
});

describe('fleetpulse serve (the CLI)', () => {
  function serve(args: string[]): { child: ChildProcess; url: Promise<string>; stderr: () => string } {
    if (!existsSync(join(ROOT, 'dist/cli/commands/serve.js'))) {
      throw new Error('dist/ is not built: run `npm run build` (npm test does) before the CLI tests');
    }
    const child = spawn(process.execPath, [join(ROOT, 'bin/fleetpulse'), 'serve', '--in', dir, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const url = new Promise<string>((ok, fail) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line) ok(line);
      });
      child.on('exit', (code) => fail(new Error(`serve exited early with ${code}: ${err}`)));
    });
    // Awaited by the tests that expect a URL; the others must not see an unhandled rejection.
    url.catch(() => undefined);
    return { child, url, stderr: () => err };
  }

  const exited = (child: ChildProcess) =>
    new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'prints its URL, serves, and stops cleanly on %s (exit 0)',
    async (sig) => {
      const s = serve(['--port', '0']);
      const url = await s.url;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await raw(url, '/')).status).toBe(200);
      const done = exited(s.child);
      s.child.kill(sig);
      expect(await done).toBe(0);
      expect(s.stderr()).toContain(`fleetpulse: ${sig}: dashboard stopped`);
      await expect(raw(url, '/')).rejects.toThrow(/ECONNREFUSED/);
    },
  );

  it('a bad --port is a usage error (exit 2)', async () => {
    const s = serve(['--port', '70000']);
    expect(await exited(s.child)).toBe(2);
    expect(s.stderr()).toContain("expected a port number 0-65535, got '70000'");
  });
});
