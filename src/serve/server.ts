/**
 * `fleetpulse serve`: a local dashboard over a run folder. Node's http module,
 * an allow-list of exactly the paths it serves (everything else, traversal
 * attempts included, is a 404), loopback by default.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { BUCKETS } from '../report/buckets.js';
import { buildSections } from '../report/build.js';
import { explorerSpec } from '../report/charts.js';
import { embedCharts } from '../report/client.js';
import { esc } from '../report/format.js';
import { scriptJson, sectionHtml } from '../report/html.js';
import { readCounts } from '../report/run-folder.js';
import type { ReportSection } from '../report/section.js';
import { PAGE_CSS } from '../report/style.js';
import { rangeText } from '../report/text.js';
import { BROWSER_SCRIPTS, browserScriptPath } from '../report/vendor.js';
import { pageMeta } from '../report/write-report.js';
import { UsageError } from '../util/errors.js';
import { type DashboardPayload, dashboardClient } from './client.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './defaults.js';

export { DEFAULT_HOST, DEFAULT_PORT };

export interface ServerOptions {
  /** The run folder to show. */
  inDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (this machine only). */
  host?: string;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** The section the interactive explorer replaces in the dashboard. */
const EXPLORER_REPLACES = 'online';

/** Same-origin only: scripts and data from this server; Vega compiles expressions with Function(). */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface Asset {
  type: string;
  body: Buffer;
}

function explorerSection(s: ReportSection, range: string): string {
  return `<section class="report-section" id="${esc(s.id)}">
<h2>${esc(s.title)}</h2>
<p>Hover for each fleet size’s count and the day’s total; click a legend entry to hide or show that fleet size; drag across the overview to zoom in on a time range (double-click it or press “Reset zoom” to see everything). ${esc(range)}.</p>
<div class="controls">
<fieldset><legend>Count</legend>
<label><input type="radio" name="mode" value="daily" checked> Daily</label>
<label><input type="radio" name="mode" value="rolling28"> Rolling 28 days</label>
</fieldset>
<button type="button" id="reset-zoom">Reset zoom</button>
<button type="button" id="download-csv">Download CSV of what is shown</button>
</div>
<p class="status" id="status" aria-live="polite"></p>
<div class="chart" id="explorer" role="img" aria-label="Stacked and 100% stacked online devices by fleet size, with a time overview"></div>
</section>`;
}

/** Builds every asset once, at start-up: the run folder is read then, not per request. */
export async function buildAssets(inDir: string): Promise<Map<string, Asset>> {
  const sections = await buildSections(inDir);
  const daily = readCounts(inDir, 'daily');
  const rolling28 = readCounts(inDir, 'rolling28');
  const meta = pageMeta(inDir);
  const specs: Record<string, unknown> = {};
  const shown: DashboardPayload['sections'] = [];
  for (const s of sections) {
    if (s.id === EXPLORER_REPLACES) {
      shown.push({ id: s.id, title: s.title, html: explorerSection(s, `Daily: ${rangeText(daily)}`) });
      continue;
    }
    for (const c of s.charts) specs[c.name] = c.spec;
    shown.push({ id: s.id, title: s.title, html: sectionHtml(s) });
  }
  const payload: DashboardPayload = {
    buckets: BUCKETS.map((b) => ({ ...b })),
    daily,
    rolling28,
    explorer: explorerSpec(daily, rolling28, rangeText(daily)),
    specs,
    sections: shown,
  };
  const index = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(meta.title.replace('report', 'dashboard'))}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css">
</head>
<body>
<header class="page"><h1>${esc(meta.title.replace('report', 'dashboard'))}</h1><p class="meta">${esc(meta.meta)}</p></header>
<nav class="toc" id="toc" aria-label="Sections"></nav>
<main id="sections"><p class="status" id="status">Loading…</p></main>
<footer class="page">fleetpulse dashboard · served from this machine only; nothing is loaded from the network.</footer>
${BROWSER_SCRIPTS.map((s) => `<script src="vendor/${s.name}"></script>`).join('\n')}
<script src="app.js"></script>
</body>
</html>
`;
  const assets = new Map<string, Asset>();
  const text = (type: string, body: string): Asset => ({ type, body: Buffer.from(body, 'utf8') });
  assets.set('/', text('text/html; charset=utf-8', index));
  assets.set('/index.html', text('text/html; charset=utf-8', index));
  assets.set('/app.css', text('text/css; charset=utf-8', PAGE_CSS));
  assets.set(
    '/app.js',
    text('text/javascript; charset=utf-8', `(${dashboardClient.toString()})(${embedCharts.toString()});\n`),
  );
  assets.set('/data/dashboard.json', text('application/json; charset=utf-8', scriptJson(payload)));
  for (const s of BROWSER_SCRIPTS) {
    assets.set(`/vendor/${s.name}`, {
      type: 'text/javascript; charset=utf-8',
      body: readFileSync(browserScriptPath(s)),
    });
  }
  return assets;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function send(res: ServerResponse, status: number, type: string, body: Buffer | string, head: boolean): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': buf.length,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': DASHBOARD_CSP,
  });
  res.end(head ? undefined : buf);
}

/** The request's path, exactly as sent (no decoding, no normalisation): it must match an allow-list key. */
function requestPath(req: IncomingMessage): string | undefined {
  const raw = req.url ?? '';
  if (!raw.startsWith('/')) return undefined;
  const cut = raw.search(/[?#]/);
  return cut === -1 ? raw : raw.slice(0, cut);
}

/**
 * `allowedHosts`: the Host header names accepted (loopback binding), or
 * undefined to accept any (the user chose to expose the dashboard).
 */
export function handler(assets: Map<string, Asset>, allowedHosts: Set<string> | undefined) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const head = req.method === 'HEAD';
    if (allowedHosts) {
      // A page elsewhere cannot reach this server through a rebinding DNS name.
      const hostname = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      if (!allowedHosts.has(hostname)) {
        send(res, 403, 'text/plain; charset=utf-8', 'forbidden host\n', head);
        return;
      }
    }
    const path = requestPath(req);
    const asset = path === undefined ? undefined : assets.get(path);
    if (!asset) {
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
      return;
    }
    if (req.method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false);
      return;
    }
    send(res, 200, asset.type, asset.body, head);
  };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((ok, fail) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        fail(
          new UsageError(
            `port ${port} on ${host} is in use: choose another with --port (0 picks a free one)`,
          ),
        );
      } else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EACCES') {
        fail(new UsageError(`cannot listen on ${host}:${port}: ${e.code}`));
      } else fail(e);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      ok(server.address() as AddressInfo);
    });
  });
}

/** Starts the dashboard; resolves once it listens, with its URL and a close() that ends every connection. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? DEFAULT_HOST;
  const assets = await buildAssets(resolve(opts.inDir));
  const allowed = isLoopback(host) ? new Set([...LOOPBACK_NAMES, host, `[${host}]`]) : undefined;
  const server = createServer(handler(assets, allowed));
  server.keepAliveTimeout = 5_000;
  const addr = await listen(server, opts.port ?? DEFAULT_PORT, host);
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${addr.port}/`,
    close() {
      closing ??= new Promise<void>((ok, fail) => {
        server.close((e) => (e ? fail(e) : ok()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
