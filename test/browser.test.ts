import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/report/write-report.js';
import { type RunningServer, startServer } from '../src/serve/server.js';
import {
  ARTIFACTS,
  foreignRequests,
  HAVE_CHROMIUM,
  launchBrowser,
  type PageLog,
  recordedPage,
  warnIfNoChromium,
  writeSyntheticRun,
} from './helpers/browser.js';

warnIfNoChromium();

const LABELS_TOP_DOWN = ['1000+', '100-999', '10-99', '3-9', '1-2'];
const DAYS = 400;

describe.skipIf(!HAVE_CHROMIUM)('in a real browser (chromium)', () => {
  let tmp = '';
  let dir = '';
  let browser: Browser;
  let server: RunningServer;
  let reportPath = '';

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fleetpulse-browser-test-'));
    dir = join(tmp, 'run');
    await writeSyntheticRun(dir, { days: DAYS, truth: true });
    reportPath = await writeReport({ inDir: dir, quiet: true });
    server = await startServer({ inDir: dir, port: 0 });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const fromServer = (u: string) => u.startsWith(server.url);

  async function openDashboard(
    opts: { acceptDownloads?: boolean } = {},
  ): Promise<{ page: Page; log: PageLog }> {
    const { page, log } = await recordedPage(browser, opts);
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.locator('#explorer').scrollIntoViewIfNeeded();
    return { page, log };
  }

  /**
   * The areas of the stacked chart (the explorer's first view), each as its
   * length and a hash of its `d` (short failure messages), sorted (Vega may
   * reorder DOM nodes when a series comes back).
   */
  const stackedPaths = (page: Page) =>
    page.locator('#explorer g.mark-area[class*="concat_0"] path').evaluateAll((els) =>
      els
        .map((e) => {
          const d = e.getAttribute('d') ?? '';
          let h = 0;
          for (let i = 0; i < d.length; i++) h = (h * 31 + d.charCodeAt(i)) | 0;
          return `${d.length}:${h}`;
        })
        .sort(),
    );

  const status = (page: Page) => page.locator('#status').textContent();

  async function downloadCsv(page: Page): Promise<{ name: string; text: string }> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const path = await download.path();
    return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
  }

  /** Clicks a legend entry of the explorer like a user (Vega's SVG overlays the labels). */
  async function clickLegend(page: Page, label: string) {
    const el = page.locator('#explorer .role-legend-label text', {
      hasText: new RegExp(`^${label.replace('+', '\\+')}$`),
    });
    await el.scrollIntoViewIfNeeded();
    const box = await el.boundingBox();
    if (!box) throw new Error(`legend label ${label} not found`);
    const before = await status(page);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction((b) => document.getElementById('status')?.textContent !== b, before);
  }

  it('the dashboard loads with no console error and no request leaving the local server', async () => {
    const { page, log } = await openDashboard();
    expect(Number(await page.getAttribute('body', 'data-charts-rendered'))).toBe(5);
    expect(log.consoleErrors).toEqual([]);
    expect(log.pageErrors).toEqual([]);
    expect(log.failedRequests).toEqual([]);
    expect(log.requests.length).toBeGreaterThanOrEqual(7);
    expect(foreignRequests(log, fromServer)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    await page.close();
  });

  it('the stacked chart has five series, with the bucket labels in its legend', async () => {
    const { page } = await openDashboard();
    const paths = await stackedPaths(page);
    expect(paths).toHaveLength(5);
    for (const d of paths) expect(Number(d.split(':')[0])).toBeGreaterThan(1000);
    expect(await page.locator('#explorer .role-legend-label text').allTextContents()).toEqual(
      LABELS_TOP_DOWN,
    );
    const symbols = await page
      .locator('#explorer .role-legend-symbol path')
      .evaluateAll((els) => els.map((e) => e.getAttribute('fill')));
    expect(symbols.map((c) => c?.toUpperCase())).toEqual([
      '#D55E00',
      '#CC79A7',
      '#009E73',
      '#E69F00',
      '#0072B2',
    ]);
    await page.close();
  });

  it('the 28-day switch changes the plotted data, and the CSV of what is shown follows', async () => {
    const { page } = await openDashboard({ acceptDownloads: true });
    const daily = await stackedPaths(page);
    const csvDaily = await downloadCsv(page);
    expect(csvDaily.text).toBe(readFileSync(join(dir, 'daily_online.csv'), 'utf8'));
    const lastDay = readFileSync(join(dir, 'daily_online.csv'), 'utf8')
      .trim()
      .split('\n')
      .at(-1)
      ?.slice(0, 10);
    expect(csvDaily.name).toBe(`fleetpulse-daily-2017-01-01-to-${lastDay}.csv`);

    await page.check('input[name="mode"][value="rolling28"]');
    await page.waitForFunction(() => document.body.dataset.mode === 'rolling28');
    const rolling = await stackedPaths(page);
    expect(rolling).toHaveLength(5);
    expect(rolling).not.toEqual(daily);
    expect(await status(page)).toContain('Showing rolling 28-day counts');
    expect(await page.locator('#explorer .role-title-text text').first().textContent()).toBe(
      'Unique online devices in the 28 days ending each day, by fleet size',
    );
    const csvRolling = await downloadCsv(page);
    expect(csvRolling.text).toBe(readFileSync(join(dir, 'rolling28_online.csv'), 'utf8'));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-rolling28.png') });

    await page.check('input[name="mode"][value="daily"]');
    await page.waitForFunction(() => document.body.dataset.mode === 'daily');
    expect(await stackedPaths(page)).toEqual(daily);
    await page.close();
  });

  it('a bucket toggled off from the legend leaves the chart and the CSV, and comes back', async () => {
    const { page } = await openDashboard({ acceptDownloads: true });
    const all = await stackedPaths(page);
    await clickLegend(page, '1-2');
    expect(await page.getAttribute('body', 'data-hidden')).toBe('1-2');
    expect(await status(page)).toContain('fleet sizes 3-9, 10-99, 100-999, 1000+');
    const without = await stackedPaths(page);
    expect(without).not.toEqual(all);
    const csv = await downloadCsv(page);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('date,fleet_3_9,fleet_10_99,fleet_100_999,fleet_1000_plus,total');
    const src = readFileSync(join(dir, 'daily_online.csv'), 'utf8').trim().split('\n');
    const [date, , f39, f1099, f100, f1000] = (src.at(-1) ?? '').split(',');
    const sum = [f39, f1099, f100, f1000].reduce((a, v) => a + Number(v), 0);
    expect(lines.at(-1)).toBe([date, f39, f1099, f100, f1000, sum].join(','));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-hidden-1-2.png') });
    await clickLegend(page, '1-2');
    expect(await page.getAttribute('body', 'data-hidden')).toBe('');
    expect(await stackedPaths(page)).toEqual(all);
    await page.close();
  });

  it('brushing the overview zooms in on a time range; the CSV holds just those days; reset restores', async () => {
    const { page } = await openDashboard({ acceptDownloads: true });
    const overview = page.locator('#explorer g.mark-area[class*="concat_2"] path');
    await overview.scrollIntoViewIfNeeded();
    const box = await overview.boundingBox();
    if (!box) throw new Error('overview not found');
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.5, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.75, y, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(
      () => !/\(400 days\)/.test(document.getElementById('status')?.textContent ?? ''),
    );
    const text = (await status(page)) ?? '';
    const m = /(\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d) \((\d+) days\)/.exec(text);
    expect(m, text).not.toBeNull();
    const n = Number(m?.[3]);
    // A quarter of the overview's width: about 100 of the 400 days.
    expect(n).toBeGreaterThan(80);
    expect(n).toBeLessThan(120);
    const csv = (await downloadCsv(page)).text.trim().split('\n');
    expect(csv).toHaveLength(n + 1);
    expect(csv[1]?.startsWith(`${m?.[1]},`)).toBe(true);
    expect(csv.at(-1)?.startsWith(`${m?.[2]},`)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-brushed.png') });
    await page.click('#reset-zoom');
    await page.waitForFunction(() =>
      /\(400 days\)/.test(document.getElementById('status')?.textContent ?? ''),
    );
    await page.close();
  });

  it("hovering the stacked chart shows each bucket's count and the day's total", async () => {
    const { page } = await openDashboard();
    const plot = page.locator('#explorer g.mark-area[class*="concat_2"] path');
    const ob = await plot.boundingBox();
    const area = await page.locator('#explorer g.mark-rect[class*="concat_0"]').boundingBox();
    if (!ob || !area) throw new Error('chart not found');
    // The last day sits at the right end of the x axis.
    await page.mouse.move(ob.x + ob.width - 1, area.y + area.height / 2);
    await page.mouse.move(ob.x + ob.width - 2, area.y + area.height / 2);
    const tip = page.locator('#vg-tooltip-element');
    await tip.waitFor({ state: 'visible', timeout: 10_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText keeps the table's cell breaks.
    const t = (await tip.innerText()).replace(/\s+/g, ' ');
    const last = (readFileSync(join(dir, 'daily_online.csv'), 'utf8').trim().split('\n').at(-1) ?? '').split(
      ',',
    );
    const th = (v: string | undefined) => Number(v).toLocaleString('en-US');
    expect(t).toContain(`Day (UTC) ${last[0]}`);
    expect(t).toContain(`Fleet 1-2 ${th(last[1])} (`);
    expect(t).toContain(`Fleet 1000+ ${th(last[5])} (`);
    expect(t).toContain(`Total ${th(last[6])}`);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-tooltip.png') });
    await page.close();
  });

  it('path traversal through the browser is a 404 too', async () => {
    const { page } = await recordedPage(browser);
    for (const p of [
      '../package.json',
      '%2e%2e/package.json',
      'assets/../../x',
      'vendor/%2e%2e/%2e%2e/package.json',
    ]) {
      const res = await page.goto(`${server.url}${p}`);
      expect(res?.status(), p).toBe(404);
    }
    await page.close();
  });

  it('report.html opened from disk (file://) renders every chart with no network request', async () => {
    const { page, log } = await recordedPage(browser);
    const url = pathToFileURL(reportPath).href;
    await page.goto(url);
    await page.waitForSelector('body[data-charts-rendered]', { timeout: 60_000 });
    const expected = await page.locator('[data-chart]').count();
    expect(expected).toBe(9);
    expect(Number(await page.getAttribute('body', 'data-charts-rendered'))).toBe(expected);
    expect(await page.locator('[data-chart][data-rendered="true"] svg.marks').count()).toBe(expected);
    expect(await page.locator('[data-chart][data-error]').count()).toBe(0);
    expect(log.requests).toEqual([url]);
    expect(log.consoleErrors).toEqual([]);
    expect(log.pageErrors).toEqual([]);
    // The stacked chart in the report: five areas, legend top-down.
    expect(await page.locator('[data-chart="daily_online"] g.mark-area path').count()).toBe(5);
    expect(
      await page.locator('[data-chart="daily_online"] .role-legend-label text').allTextContents(),
    ).toEqual(LABELS_TOP_DOWN);
    expect(await page.locator('#truth h2').textContent()).toBe('Repaired vs true counts');
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    // Per-section shots: unpin the sticky table of contents so it does not cover them.
    await page.addStyleTag({ content: 'nav.toc { position: static; }' });
    for (const id of await page
      .locator('section.report-section')
      .evaluateAll((els) => els.map((e) => e.id))) {
      await page.locator(`section#${id}`).screenshot({ path: join(ARTIFACTS, `report-${id}.png`) });
    }
    await page.close();
  });
});
