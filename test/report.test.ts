import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../src/pipeline/analyze.js';
import { buildSections, validateSections } from '../src/report/build.js';
import { renderSvg, svgToPng } from '../src/report/render.js';
import type { ReportSection } from '../src/report/section.js';
import { compareWithTruth, growth } from '../src/report/stats.js';
import { writeReport } from '../src/report/write-report.js';
import { InputError } from '../src/util/errors.js';
import { KEYS, type Row, writeSyntheticRun } from './helpers/browser.js';

const ROOT = join(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'fleetpulse-report-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BASE_CHARTS = [
  'daily_online',
  'rolling28_online',
  'share_daily',
  'share_rolling28',
  'repair_rules',
  'repairs_by_server',
];
const TRUTH_CHARTS = ['truth_compare_daily', 'truth_error_daily', 'truth_error_rolling28'];

/** en-US thousands separators, written independently of the report's formatter. */
const th = (n: number) => String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const signed = (n: number) => (n > 0 ? `+${th(n)}` : n < 0 ? `−${th(n)}` : '0');
const signedPct = (r: number) => {
  const p = `${(Math.abs(r) * 100).toFixed(1)}%`;
  return r > 0 ? `+${p}` : r < 0 ? `−${p}` : p;
};

function chartFiles(dir: string): string[] {
  return readdirSync(join(dir, 'charts')).sort();
}

function expectedFiles(names: string[]): string[] {
  return names.flatMap((n) => [`${n}.png`, `${n}.svg`]).sort();
}

/** A minimal PNG decoder (8-bit RGB/RGBA, non-interlaced): what resvg writes. */
function decodePng(buf: Buffer): { width: number; height: number; rgba: Uint8Array } {
  expect(buf.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : 0;
      expect(channels).toBeGreaterThan(0);
      expect(data[12]).toBe(0);
    }
    if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  const prev = new Uint8Array(stride);
  const cur = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? (cur[x - channels] as number) : 0;
      const b = prev[x] as number;
      const c = x >= channels ? (prev[x - channels] as number) : 0;
      const v = line[x] as number;
      let r: number;
      if (filter === 0) r = v;
      else if (filter === 1) r = v + a;
      else if (filter === 2) r = v + b;
      else if (filter === 3) r = v + ((a + b) >> 1);
      else {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        r = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      cur[x] = r & 255;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 4; k++)
        out[(y * width + x) * 4 + k] = k < channels ? (cur[x * channels + k] as number) : 255;
    }
    prev.set(cur);
  }
  return { width, height, rgba: out };
}

/** Pixels darker than text grey in a rectangle of the image. */
function darkPixels(
  img: ReturnType<typeof decodePng>,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): number {
  let n = 0;
  for (let y = y0; y < Math.min(y1, img.height); y++) {
    for (let x = x0; x < Math.min(x1, img.width); x++) {
      const i = (y * img.width + x) * 4;
      const lum =
        0.299 * (img.rgba[i] as number) +
        0.587 * (img.rgba[i + 1] as number) +
        0.114 * (img.rgba[i + 2] as number);
      if (lum < 90) n++;
    }
  }
  return n;
}

function hasColour(img: ReturnType<typeof decodePng>, hex: string): boolean {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  for (let i = 0; i < img.rgba.length; i += 4) {
    if (img.rgba[i] === r && img.rgba[i + 1] === g && img.rgba[i + 2] === b) return true;
  }
  return false;
}

/** A compact failure message: the missing snippet, not the whole page. */
function expectText(haystack: string, snippet: string): void {
  expect(haystack.includes(snippet), `report text lacks: ${snippet}`).toBe(true);
}

function text(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replaceAll('&amp;', '&')
    .replaceAll('&#39;', "'")
    .replace(/\s+/g, ' ');
}

describe('report of the small example export', () => {
  const dir = join(tmp, 'small');
  let html = '';
  let reportPath = '';
  beforeAll(async () => {
    await analyze({
      events: join(ROOT, 'examples/small/connectivity_events.csv'),
      servers: join(ROOT, 'examples/small/servers.csv'),
      out: dir,
      quiet: true,
    });
    reportPath = await writeReport({ inDir: dir, quiet: true });
    html = readFileSync(reportPath, 'utf8');
  });

  it('writes DIR/report.html and an SVG and a PNG for every chart', () => {
    expect(reportPath).toBe(join(dir, 'report.html'));
    expect(chartFiles(dir)).toEqual(expectedFiles(BASE_CHARTS));
    for (const n of BASE_CHARTS) {
      const svg = readFileSync(join(dir, 'charts', `${n}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('font-family="DejaVu Sans');
      expect(
        readFileSync(join(dir, 'charts', `${n}.png`))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
    }
  });

  it('is one self-contained file: vega, vega-lite, vega-embed, styles and data inlined', () => {
    // The markup outside the inlined scripts loads nothing (the libraries' code may mention tags in strings).
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '<script></script>');
    expect(html.match(/<script\b[^>]*>/g)?.every((t) => !/\ssrc=/i.test(t))).toBe(true);
    expect(/<link\b(?![^>]*href="data:)/i.test(markup)).toBe(false);
    expect(/<(?:img|iframe|object|embed)\b/i.test(markup)).toBe(false);
    expect(/\b(?:src|href)="(?:https?:)?\/\//i.test(markup)).toBe(false);
    expect(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/.test(markup)).toBe(true);
    const vegaVersion = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/vega/package.json'), 'utf8'),
    ).version;
    expect(html.includes(`"${vegaVersion}"`)).toBe(true);
    expect(html.includes('vegaEmbed')).toBe(true);
    for (const n of BASE_CHARTS) expect(markup.includes(`data-chart="${n}"`), n).toBe(true);
    // Every placeholder has its spec in the inlined JSON.
    const specs = JSON.parse(
      /<script type="application\/json" id="fp-specs">(.*?)<\/script>/s.exec(html)?.[1] ?? '{}',
    );
    expect(Object.keys(specs).sort()).toEqual([...BASE_CHARTS].sort());
    expect(specs.daily_online.data.values).toHaveLength(28);
  });

  it('says plainly that 28 days of history are too short for growth over 30, 90 and 365 days', () => {
    expectText(
      text(html),
      'No growth over 30 days, 90 days and 365 days: the history is only 28 days long (2018-02-01 to 2018-02-28)',
    );
  });

  it('headline numbers are those of the last CSV row', () => {
    const last =
      readFileSync(join(dir, 'daily_online.csv'), 'utf8').trim().split('\n').at(-1)?.split(',') ?? [];
    expectText(text(html), `Online on ${last[0]} ${th(Number(last[6]))} unique devices that day`);
  });

  it('has no truth section when the run folder has no truth/', () => {
    expect(html.includes('id="truth"')).toBe(false);
    expect(html.includes('truth_error_daily')).toBe(false);
  });
});

describe('report of a synthetic run with truth/', () => {
  const dir = join(tmp, 'synthetic');
  let html = '';
  let plain = '';
  let data: Awaited<ReturnType<typeof writeSyntheticRun>>;
  let sections: ReportSection[] = [];
  const notes: string[] = [];
  beforeAll(async () => {
    data = await writeSyntheticRun(dir, { days: 400, truth: true });
    // Collect the progress notes: chart warnings from Vega or Vega-Lite are reported there.
    await writeReport({
      inDir: dir,
      progress: { stage: (_name, work) => work(() => {}), note: (m) => notes.push(m) },
    });
    html = readFileSync(join(dir, 'report.html'), 'utf8');
    plain = text(html);
    sections = await buildSections(dir);
  });

  it('writes the truth charts too', () => {
    expect(chartFiles(dir)).toEqual(expectedFiles([...BASE_CHARTS, ...TRUTH_CHARTS]));
    expect(sections.map((s) => s.id)).toEqual(['headline', 'online', 'quality', 'truth', 'methodology']);
  });

  it('every chart compiles and renders without a Vega or Vega-Lite warning', () => {
    expect(notes).toEqual([]);
  });

  it('headline growth over 30, 90 and 365 days matches the CSV rows', () => {
    const rows = data.daily;
    const latest = rows.at(-1) as Row;
    for (const days of [30, 90, 365]) {
      const base = rows[rows.length - 1 - days] as Row;
      const g = growth(rows, days);
      expect(g.base?.date).toBe(base.date);
      for (const k of [...KEYS, 'total'] as const) {
        const abs = latest[k] - base[k];
        expect(g.change[k]?.abs).toBe(abs);
        if (base[k] > 0) {
          expectText(plain, `${signedPct(abs / base[k])} (${signed(abs)})`);
        }
      }
    }
    // 1000+ was 0 a year before the last day: a change "from 0", not a percentage.
    expect(rows[rows.length - 366]?.fleet_1000_plus).toBe(0);
    expectText(plain, `${signed(latest.fleet_1000_plus)} (from 0)`);
    expectText(plain, `Online on ${latest.date} ${th(latest.total)} unique devices that day`);
    expect(plain.includes('No growth over')).toBe(false);
  });

  it('data quality: repaired-only share, rule counts, rejects and per-server repairs come from the files', () => {
    const q = JSON.parse(readFileSync(join(dir, 'quality.json'), 'utf8'));
    const share = `${((q.device_days_repaired_only / q.device_days) * 100).toFixed(1)}%`;
    expectText(
      plain,
      `Resting only on repaired intervals ${share} ${th(q.device_days_repaired_only)} device-days`,
    );
    expectText(
      plain,
      `rule 4: online X → offline Y repaired interval ${th(q.rules.rule_4.firings)} ${th(q.rules.rule_4.device_days)}`,
    );
    expectText(plain, 'timestamp bad timestamp 1');
    expectText(plain, 'wrong number of fields: expected 5, found 4');
    // Server 1: rules 1, 2, 4 and the end case = 700 + 500 + 5000 + 1000.
    expectText(plain, `1 yes 300,000 ${th(7200)} 0.02`);
    expectText(plain, '99 no 10,000 100 0.01');
    expectText(plain, 'Rule firings over time cannot be shown');
  });

  it('methodology: every cross-check passes and the numbers are the files’ own', () => {
    const q = JSON.parse(readFileSync(join(dir, 'quality.json'), 'utf8'));
    const sum = data.daily.reduce((n, r) => n + r.total, 0);
    expect(sum).toBe(q.device_days);
    expect(html.includes('class="ok"')).toBe(true);
    expect(html.includes('class="fail"')).toBe(false);
    expectText(
      plain,
      `The daily totals add up to ${th(sum)}, equal to the ${th(q.device_days)} device-days of quality.json.`,
    );
    expectText(
      plain,
      `device_days.parquet holds ${th(sum)} device-days (2017-01-01 to ${data.daily.at(-1)?.date}) of`,
    );
    expectText(
      plain,
      `Per day, the device-days in device_days.parquet equal the daily total on all 400 days.`,
    );
    expectText(plain, `rule 3 (observed): ${th(q.rules.rule_3.firings)} intervals`);
    expectText(
      plain,
      `In all, ${th(q.intervals)} online intervals; 3 intervals whose computed end fell before its start were clamped`,
    );
  });

  it('truth: MAE, MAPE, max abs error and bias per bucket equal the errors built into the fixture', () => {
    const truth = data.truth as NonNullable<typeof data.truth>;
    const d = compareWithTruth(data.daily, truth.daily);
    expect(d.days).toBe(400);
    // 1-2: +2 on the 200 even days.
    expect(d.bySeries.fleet_1_2.mae).toBe(1);
    expect(d.bySeries.fleet_1_2.bias).toBe(1);
    expect(d.bySeries.fleet_1_2.maxAbs).toBe(2);
    expect(d.bySeries.fleet_1_2.maxAbsDate).toBe('2017-01-01');
    const mape12 = truth.daily.reduce((s, t, i) => s + (i % 2 === 0 ? 2 / t.fleet_1_2 : 0), 0) / 400;
    expect(d.bySeries.fleet_1_2.mape).toBeCloseTo(mape12, 12);
    // 3-9: -5 on day 10 only.
    expect(d.bySeries.fleet_3_9.mae).toBe(5 / 400);
    expect(d.bySeries.fleet_3_9.maxAbs).toBe(5);
    expect(d.bySeries.fleet_3_9.maxAbsDate).toBe('2017-01-11');
    // 1000+ is 0 (true) for 200 days: MAPE only over the other 200.
    expect(d.bySeries.fleet_1000_plus.mapeDays).toBe(200);
    expect(d.bySeries.fleet_1000_plus.mae).toBe(0);
    // Total: +2 on even days, day 10 is even: +2 - 5 = -3.
    expect(d.bySeries.total.mae).toBe((199 * 2 + 3) / 400);
    expect(d.bySeries.total.maxAbs).toBe(3);
    const r = compareWithTruth(data.rolling, truth.rolling28);
    expect(r.bySeries.fleet_10_99.mae).toBe(3);
    expect(r.bySeries.fleet_10_99.bias).toBe(-3);

    expectText(plain, 'Repaired vs true counts');
    const pct2 = (r: number) => (r < 0.01 ? `${(r * 100).toFixed(2)}%` : `${(r * 100).toFixed(1)}%`);
    expectText(plain, `1-2 1.00 ${pct2(mape12)} 2 2017-01-01 +1.00`);
    expectText(plain, `3-9 0.01 ${pct2(d.bySeries.fleet_3_9.mape ?? 0)} 5 2017-01-11 −0.01`);
    expectText(plain, '100-999 0.00 0.0% 0 — 0.00');
    expectText(plain, '1000+ 0.00 0.0% (200 days) 0 — 0.00');
    expectText(plain, `Total 1.00 ${pct2(d.bySeries.total.mape ?? 0)} 3 2017-01-11 +0.99`);
    expectText(plain, `10-99 3.00 ${pct2(r.bySeries.fleet_10_99.mape ?? 0)} 3 2017-01-01 −3.00`);
    expectText(
      plain,
      `Daily total: MAE 1.00 devices, MAPE ${pct2(d.bySeries.total.mape ?? 0)}, largest error 3 devices on 2017-01-11, bias +0.99.`,
    );
  });

  it('a second run without truth/ drops the truth section and its chart files', async () => {
    const again = join(tmp, 'synthetic-again');
    await writeSyntheticRun(again, { days: 60, truth: true });
    await writeReport({ inDir: again, quiet: true });
    expect(chartFiles(again)).toContain('truth_error_daily.png');
    rmSync(join(again, 'truth'), { recursive: true });
    await writeReport({ inDir: again, quiet: true });
    expect(chartFiles(again)).toEqual(expectedFiles(BASE_CHARTS));
    expect(readFileSync(join(again, 'report.html'), 'utf8').includes('id="truth"')).toBe(false);
    expect(readdirSync(again).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('PNG images have their text', () => {
  let dir = '';
  let out = '';
  beforeAll(async () => {
    dir = join(tmp, 'png');
    await writeSyntheticRun(dir, { days: 60 });
    out = await writeReport({ inDir: dir, outFile: join(tmp, 'elsewhere', 'nested', 'r.html'), quiet: true });
  });

  it('--out puts the report elsewhere; the charts stay in the run folder', () => {
    expect(out).toBe(join(tmp, 'elsewhere', 'nested', 'r.html'));
    expect(readFileSync(out, 'utf8').includes('id="fp-specs"')).toBe(true);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
    expect(chartFiles(dir)).toEqual(expectedFiles(BASE_CHARTS));
  });

  it('charts/daily_online.png is not blank: bucket colours, and dark title text in the title area', () => {
    const img = decodePng(readFileSync(join(dir, 'charts', 'daily_online.png')));
    expect(img.width).toBeGreaterThan(1200);
    expect(img.height).toBeGreaterThan(500);
    for (const c of ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00'])
      expect(hasColour(img, c), c).toBe(true);
    // Title: the top 40 px (at 2x) of the left half hold the bold title.
    expect(darkPixels(img, 0, 0, img.width / 2, 56)).toBeGreaterThan(1500);
  });

  it('the same SVG without its <text> elements has no dark pixels there: the text really is drawn', () => {
    const svg = readFileSync(join(dir, 'charts', 'daily_online.svg'), 'utf8');
    const withText = decodePng(svgToPng(svg));
    const without = decodePng(svgToPng(svg.replace(/<text\b[^>]*>[^<]*<\/text>/g, '')));
    const a = darkPixels(withText, 0, 0, withText.width, withText.height);
    const b = darkPixels(without, 0, 0, without.width, without.height);
    expect(darkPixels(without, 0, 0, without.width / 2, 56)).toBe(0);
    expect(a - b).toBeGreaterThan(5000);
  });
});

describe('the headless renderer', () => {
  it('reports Vega-Lite warnings instead of printing them (so the test above can fail)', async () => {
    const { svg, warnings } = await renderSvg({
      data: { values: [{ a: 1, b: 2 }] },
      mark: 'point',
      encoding: {
        x: { field: 'a', type: 'quantitative' },
        y: { field: 'b', type: 'quantitative', scale: { type: 'band' } },
      },
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.join('\n')).toMatch(/band/);
  });
});

describe('bad run folders', () => {
  it('missing quality.json: InputError naming the file; the CLI exits 3 with that message', async () => {
    const dir = join(tmp, 'no-quality');
    await writeSyntheticRun(dir, { days: 40 });
    rmSync(join(dir, 'quality.json'));
    await expect(writeReport({ inDir: dir, quiet: true })).rejects.toThrow(InputError);
    await expect(writeReport({ inDir: dir, quiet: true })).rejects.toThrow(
      `${join(dir, 'quality.json')}: missing (run \`fleetpulse analyze --out DIR\` first)`,
    );
    if (!existsSync(join(ROOT, 'dist/cli/commands/report.js'))) {
      throw new Error('dist/ is not built: run `npm run build` (npm test does) before the CLI tests');
    }
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/fleetpulse'), 'report', '--in', dir, '--quiet'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(3);
    expect(r.stderr.trim()).toBe(
      `${join(dir, 'quality.json')}: missing (run \`fleetpulse analyze --out DIR\` first)`,
    );
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });

  it('a run folder that does not exist: exit 3', () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/fleetpulse'), 'report', '--in', join(tmp, 'nope')],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`${join(tmp, 'nope')}: no such folder`);
  });

  it('a damaged count file: the file, line and field are named', async () => {
    const dir = join(tmp, 'bad-csv');
    await writeSyntheticRun(dir, { days: 40 });
    const path = join(dir, 'rolling28_online.csv');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[5] = lines[5]?.replace(/,(\d+)$/, ',12x') ?? '';
    writeFileSync(path, lines.join('\n'));
    await expect(writeReport({ inDir: dir, quiet: true })).rejects.toThrow(
      `${path}:6: field total: bad count: '12x'`,
    );
  });

  it('a quality.json without a counter the report needs: named', async () => {
    const dir = join(tmp, 'bad-quality');
    await writeSyntheticRun(dir, { days: 40 });
    const path = join(dir, 'quality.json');
    const q = JSON.parse(readFileSync(path, 'utf8'));
    delete q.device_days_repaired_only;
    writeFileSync(path, JSON.stringify(q));
    await expect(writeReport({ inDir: dir, quiet: true })).rejects.toThrow(
      `${path}: field 'device_days_repaired_only': expected a whole number >= 0`,
    );
  });
});

describe('the section contract', () => {
  const ok = (over: Partial<ReportSection>): ReportSection => ({
    id: 'x',
    title: 'X',
    order: 1,
    html: '<p>fine</p><div data-chart="c"></div>',
    charts: [{ name: 'c', title: 'C', spec: { data: { values: [] }, mark: 'bar' } }],
    ...over,
  });

  it('accepts a well-formed section', () => {
    expect(() => validateSections([ok({})])).not.toThrow();
  });

  it.each([
    ['a script', { html: '<script>alert(1)</script>' }, 'a <script> element'],
    ['an external image', { html: '<img src="https://example.com/x.png">' }, 'an external URL'],
    ['a protocol-relative link', { html: '<a href="//example.com">x</a>' }, 'an external URL'],
    ['an inline handler', { html: '<p onclick="x()">x</p>' }, 'an inline event handler'],
    ['an unknown chart placeholder', { html: '<div data-chart="nope"></div>' }, "unknown chart 'nope'"],
    [
      'a chart loading data from a URL',
      {
        charts: [
          { name: 'c', title: 'C', spec: { data: { url: 'https://example.com/d.csv' }, mark: 'bar' } },
        ],
      },
      'loads data from a URL',
    ],
    ['a bad chart name', { html: '', charts: [{ name: '../x', title: 'C', spec: {} }] }, 'must match'],
  ])('rejects %s', (_what, over, message) => {
    expect(() => validateSections([ok(over as Partial<ReportSection>)])).toThrow(message);
  });

  it('rejects two sections with the same id', () => {
    expect(() => validateSections([ok({}), ok({ charts: [], html: '' })])).toThrow('duplicate section id');
  });
});
