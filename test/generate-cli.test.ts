/**
 * `fleetpulse generate` through the real CLI (bin/fleetpulse on the compiled
 * dist/): usage errors exit 2 and write nothing; a good run prints its folder
 * and a progress line per stage, or nothing with --quiet.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli, lines } from './helpers/cli.js';
import { removeTempDirs, tempDir } from './helpers/fixtures.js';

afterAll(removeTempDirs);
beforeAll(assertBuilt);

describe('fleetpulse generate (CLI)', () => {
  it.each([
    [['--scale', '0']],
    [['--scale', 'abc']],
    [['--scale', '-0.5']],
    [['--scale', '101']],
    [['--seed', '-1']],
    [['--seed', '1.5']],
    [['--seed', 'x']],
    [['--until', '2018-02-30']],
    [['--until', '2015-05-30']],
    [['--until', '2019-03-31']],
    [['--until', '28/02/2018']],
    [['--bogus']],
  ])('exits 2 on %j and writes nothing', async (args) => {
    const dir = tempDir('fp-gen-cli-');
    const out = join(dir, 'out');
    const r = await cli(['generate', '--out', out, '--quiet', ...args]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error|unknown option/i);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 without --out', async () => {
    const r = await cli(['generate', '--scale', '0.01']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--out/);
  });

  it('prints the folder on stdout and one line per stage on stderr', async () => {
    const dir = tempDir('fp-gen-cli-');
    const out = join(dir, 'export');
    const r = await cli([
      'generate',
      '--out',
      out,
      '--scale',
      '0.01',
      '--seed',
      '3',
      '--until',
      '2017-12-31',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${out}\n`);
    const err = lines(r.stderr).join('\n');
    for (const stage of [
      'plan servers',
      'plan users and devices',
      'simulate and write 2015',
      'simulate and write 2017',
    ])
      expect(err).toContain(`${stage} done`);
    expect(err).not.toContain('simulate and write 2018');
    expect(readdirSync(out).sort()).toEqual(['connectivity_events.csv', 'servers.csv', 'truth']);
    expect(readdirSync(join(out, 'truth')).sort()).toEqual([
      'daily_online.csv',
      'generation.json',
      'rolling28_online.csv',
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'truth', 'generation.json'), 'utf8'));
    expect(summary).toMatchObject({ seed: 3, scale: 0.01, until: '2017-12-31', corruption: true });
    const events = readFileSync(join(out, 'connectivity_events.csv'), 'utf8').trimEnd().split('\n');
    expect(events.at(-1)?.slice(0, 10)).toBe('2017-12-31');
  });

  it('is silent with --quiet, and --no-corruption is recorded', async () => {
    const dir = tempDir('fp-gen-cli-');
    const out = join(dir, 'export');
    const r = await cli([
      'generate',
      '--out',
      out,
      '--scale',
      '0.01',
      '--until',
      '2016-12-31',
      '--no-corruption',
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    const summary = JSON.parse(readFileSync(join(out, 'truth', 'generation.json'), 'utf8'));
    expect(summary.corruption).toBe(false);
    expect(Object.values(summary.corruption_counts).every((n) => n === 0)).toBe(true);
  });
});
