/**
 * `fleetpulse insights` end to end: analyze a tiny export, run the command,
 * check the files, the report sections, the rule-4 re-run, and the failures
 * (malformed plan table, bad options, a missing export).
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compile } from 'vega-lite';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { INSIGHTS_FILES } from '../src/insights/run.js';
import { analyze } from '../src/pipeline/analyze.js';
import { validateSections } from '../src/report/build.js';
import type { ReportSection } from '../src/report/section.js';
import { INSIGHTS_SECTIONS } from '../src/report/sections/insights.js';
import { removeTempDirs, tempDir } from './helpers/fixtures.js';

afterAll(removeTempDirs);
afterEach(() => vi.restoreAllMocks());

const EVENTS = resolve('examples/small/connectivity_events.csv');
const SERVERS = resolve('examples/small/servers.csv');

/** Runs the CLI in-process; returns the exit code and what it wrote. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    const code = await main(['node', 'fleetpulse', ...args]);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

const header = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8').split('\n')[0];

async function buildSections(dir: string): Promise<ReportSection[]> {
  const out: ReportSection[] = [];
  for (const b of INSIGHTS_SECTIONS) {
    const s = await b(dir);
    if (s) out.push(s);
  }
  return out;
}

describe('fleetpulse insights on the example export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('fleetpulse-insights-cli-');
    await analyze({ events: EVENTS, servers: SERVERS, out: dir, quiet: true });
  });

  it('writes every file and insights.json, and prints the folder', async () => {
    const r = await cli('insights', '--in', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${dir}\n`);
    expect(r.stderr).toContain('re-run the clean view with the rule-4 variant');
    expect(header(dir, INSIGHTS_FILES.monthly)).toBe('month,bucket,users,billable_devices,revenue_usd');
    expect(header(dir, INSIGHTS_FILES.leads)).toBe(
      'user_id,segment,score,reason,devices_now,devices_90d_ago,plan_now,growth_90d,growth_pct,revenue_now_usd,revenue_90d_ago_usd,first_seen,last_seen,other_segments',
    );
    expect(header(dir, INSIGHTS_FILES.ruleSensitivity)).toBe(
      'date,total_literal,total_alternative,difference',
    );
    expect(header(dir, INSIGHTS_FILES.devices)).toBe('cohort,months_since,active,cohort_size,retention');
    expect(header(dir, INSIGHTS_FILES.timeTo10)).toBe('days,at_risk,reached,censored,share_reached');
    const j = JSON.parse(readFileSync(join(dir, INSIGHTS_FILES.json), 'utf8'));
    for (const f of j.files) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(j.files).not.toContain(INSIGHTS_FILES.projection); // no forecast in this folder
    expect(j.projection.status).toBe('no_forecast');
    expect(j.rule_sensitivity.status).toBe('ok');
    expect(j.rule_sensitivity.days).toBe(28);
    expect(j.pricing.basis).toBe('max');
    expect(j.pricing.basis_source).toBe('plan table');
    expect(Object.keys(j.methods)).toEqual(['revenue', 'projection', 'leads', 'cohorts', 'data']);
    // The daily totals of the literal column are analyze's own.
    const daily = readFileSync(join(dir, 'daily_online.csv'), 'utf8').trim().split('\n').slice(1);
    const sens = readFileSync(join(dir, INSIGHTS_FILES.ruleSensitivity), 'utf8').trim().split('\n').slice(1);
    expect(sens.map((l) => l.split(',').slice(0, 2).join(','))).toEqual(
      daily.map((l) => [l.split(',')[0], l.split(',')[6]].join(',')),
    );
    // A header and one row per bucket: 2018-02 is the only month.
    expect(readFileSync(join(dir, INSIGHTS_FILES.monthly), 'utf8').trim().split('\n')).toHaveLength(6);
  });

  it('builds report sections that pass the report contract, with charts that compile', async () => {
    await cli('insights', '--in', dir, '--quiet', '--billing', 'p95');
    const sections = await buildSections(dir);
    expect(sections.map((s) => [s.id, s.order])).toEqual([
      ['insights-revenue', 400],
      ['insights-projection', 410],
      ['insights-leads', 420],
      ['insights-cohorts', 430],
      ['insights-data', 440],
    ]);
    validateSections(sections);
    for (const s of sections) {
      expect(s.html).toContain('<strong>Approach.</strong>');
      expect(s.html).toContain('<strong>Drawbacks.</strong>');
      for (const c of s.charts) expect(() => compile(c.spec as never), c.name).not.toThrow();
    }
    const html = sections.map((s) => s.html).join('\n');
    expect(html).toContain('basis <code>p95</code>');
    expect(html).toContain('No revenue projection: forecast.csv is not in the run folder');
    expect(sections.flatMap((s) => s.charts.map((c) => c.name))).toContain('insights_rule_sensitivity');
  });

  it('rejects a malformed plan table with the field and the reason (exit 3)', async () => {
    const bad = join(tempDir(), 'plans.json');
    const t = JSON.parse(readFileSync('pricing/plans-2018.json', 'utf8'));
    t.plans[1].included_devices = -20;
    writeFileSync(bad, JSON.stringify(t));
    const r = await cli('insights', '--in', dir, '--pricing', bad, '--quiet');
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`${bad}: field plans[1].included_devices: must be a whole number >= 0: '-20'\n`);
    const missing = await cli('insights', '--in', dir, '--pricing', join(dir, 'nope.json'), '--quiet');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe(`${join(dir, 'nope.json')}: no such file\n`);
  });

  it('refuses bad options (exit 2) and a folder without analyze outputs (exit 3)', async () => {
    expect((await cli('insights', '--in', dir, '--billing', 'median')).code).toBe(2);
    const empty = tempDir();
    const r = await cli('insights', '--in', empty, '--quiet');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/quality\.json: no such file \(run fleetpulse analyze/);
    expect((await cli('insights', '--in', join(empty, 'none'))).stderr).toBe(
      `${join(empty, 'none')}: no such folder\n`,
    );
  });

  it('says so in the section when the export is gone, instead of failing', async () => {
    const copy = tempDir();
    cpSync(dir, copy, { recursive: true });
    const qPath = join(copy, 'quality.json');
    const q = JSON.parse(readFileSync(qPath, 'utf8'));
    q.inputs.events.file = join(copy, 'moved', 'connectivity_events.csv');
    writeFileSync(qPath, JSON.stringify(q));
    expect((await cli('insights', '--in', copy, '--quiet')).code).toBe(0);
    const j = JSON.parse(readFileSync(join(copy, INSIGHTS_FILES.json), 'utf8'));
    expect(j.rule_sensitivity.status).toBe('export_missing');
    expect(existsSync(join(copy, INSIGHTS_FILES.ruleSensitivity))).toBe(false); // the earlier run's file is gone too
    const data = (await buildSections(copy)).find((s) => s.id === 'insights-data');
    expect(data?.html).toContain(`No rule-4 comparison: the export is no longer at ${join(copy, 'moved')}`);
  });
});

describe('rule-4 sensitivity', () => {
  it('re-runs the clean view with the earlier end and reports the daily differences', async () => {
    const dir = tempDir('fleetpulse-insights-rule4-');
    // Device 1 goes online on server 1, then an offline event arrives from server 2 (rule 4):
    // literally the interval runs to server 1's destruction on Jan 10; the variant ends it on Jan 3.
    writeFileSync(
      join(dir, 'servers.csv'),
      '1,2018-01-01 00:00:00,2018-01-10 00:00:00\n2,2018-01-01 00:00:00,\n',
    );
    writeFileSync(
      join(dir, 'events.csv'),
      [
        '2018-01-02 10:00:00,1,7,1,true',
        '2018-01-03 10:00:00,1,7,2,false',
        '2018-01-12 10:00:00,2,7,2,true',
        '2018-01-12 11:00:00,2,7,2,false',
        '',
      ].join('\n'),
    );
    const run = join(dir, 'run');
    await analyze({
      events: join(dir, 'events.csv'),
      servers: join(dir, 'servers.csv'),
      out: run,
      quiet: true,
    });
    expect((await cli('insights', '--in', run, '--quiet')).code).toBe(0);
    const rows = readFileSync(join(run, INSIGHTS_FILES.ruleSensitivity), 'utf8').trim().split('\n');
    expect(rows).toEqual([
      'date,total_literal,total_alternative,difference',
      '2018-01-02,1,1,0',
      '2018-01-03,1,1,0',
      ...['04', '05', '06', '07', '08', '09'].map((d) => `2018-01-${d},1,0,-1`),
      '2018-01-10,0,0,0',
      '2018-01-11,0,0,0',
      '2018-01-12,1,1,0',
    ]);
    const j = JSON.parse(readFileSync(join(run, INSIGHTS_FILES.json), 'utf8'));
    expect(j.rule_sensitivity).toMatchObject({
      status: 'ok',
      days: 11,
      days_different: 6,
      max_abs_difference: 1,
      device_days_literal: 9,
      device_days_alternative: 3,
      last_day: { date: '2018-01-12', literal: 1, alternative: 1, difference: 0 },
    });
  });
});
