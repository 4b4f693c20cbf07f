/**
 * `tapedeck report RUN` prints one run's steps; `tapedeck report A B` compares them step by step
 * (matched by concurrency) and marks a step whose p95 rose by more than 10 % or whose error share
 * rose as a REGRESSION. RUN is a path or an id in DIR/runs/ (--in DIR).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { assertBuilt, runCli } from './support/cli.js';
import { run, step } from './support/run-report.js';

let dir = '';
beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-report-'));
  await mkdir(path.join(dir, 'runs'));
  const save = (r: ReturnType<typeof run>) =>
    writeFile(path.join(dir, 'runs', `${r.id}.json`), JSON.stringify(r));
  await save(
    run('baseline', [step(5, { p95: 1000 }), step(20, { p95: 2000 }), step(50, { p95: 3000 })]),
  );
  await save(
    run('after', [
      step(5, { p95: 1050 }),
      step(20, { p95: 2340 }),
      step(50, { p95: 3000, errors: 4, errorsByStatus: { '502': 4 } }),
      step(100, { p95: 5000 }),
    ]),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('prints one run, found by id in --in DIR', async () => {
  const r = await runCli(['report', 'baseline', '--in', dir]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('run baseline: http://127.0.0.1:8000');
  const rows = r.stdout.split('\n').filter((l) => /^\d+\s/.test(l));
  expect(rows.map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
    ['5', '100'],
    ['20', '100'],
    ['50', '100'],
  ]);
});

it('compares two runs and marks the regressions', async () => {
  const r = await runCli(['report', 'baseline', path.join(dir, 'runs', 'after.json'), '--in', dir]);
  expect(r.code).toBe(0);
  const line = (c: number) => r.stdout.split('\n').find((l) => l.startsWith(`${c} `)) ?? '';
  expect(line(5)).toContain('▲ +50 ms (+5%)');
  expect(line(5)).not.toContain('REGRESSION');
  expect(line(20)).toContain('▲ +340 ms (+17%)');
  expect(line(20)).toContain('REGRESSION (p95)');
  expect(line(50)).toContain('REGRESSION (errors)');
  expect(line(100)).toContain('only in after');
  expect(r.stdout).toContain('2 step(s) regressed');
});

it('says which run it cannot find, with exit 2', async () => {
  const r = await runCli(['report', 'nope', '--in', dir]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('no run "nope"');
});
