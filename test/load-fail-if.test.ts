/**
 * `--fail-if`: exit 0 when no condition holds on any step, 1 naming the condition and the step
 * when one does (the report is still saved), 2 with one line for a condition that does not parse.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { assertBuilt, runCli } from './support/cli.js';
import { startLoadTarget, type LoadTarget } from './support/load-target.js';

let dir = '';
let target: LoadTarget;
let requests = '';
beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-load-failif-'));
  // Every other request fails: a 50 % error share, exactly, with --count even.
  target = await startLoadTarget(async (req) => ({
    status: req.url === '/bad' ? 500 : 200,
    body: '',
  }));
  requests = path.join(dir, 'requests.jsonl');
  await writeFile(requests, '{"method":"GET","path":"/good"}\n{"method":"GET","path":"/bad"}\n');
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

const load = (failIf: string, report: string) =>
  runCli(
    [
      'load',
      target.url,
      '--requests',
      requests,
      '--steps',
      '1,2',
      '--count',
      '4',
      '--report',
      report,
      '--fail-if',
      failIf,
    ],
    { timeoutMs: 60_000 },
  );

it('exits 0 when every step passes', async () => {
  const r = await load('errors>50%,timeouts>0,retries/request>0.5', path.join(dir, 'pass.json'));
  expect(r.stderr).not.toContain('--fail-if');
  expect(r.code).toBe(0);
});

it('exits 1 and names the condition and the step that failed', async () => {
  const report = path.join(dir, 'fail.json');
  const r = await load('p99>100000,errors>=50%', report);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(
    '--fail-if errors>=50% failed on step 1 (concurrency 1): errors was 50%',
  );
  expect(r.stderr).toContain('--fail-if errors>=50% failed on step 2 (concurrency 2)');
  expect(r.stderr).not.toContain('p99>100000 failed');
  expect((await stat(report)).isFile()).toBe(true);
});

it('exits 2 with one line for a condition it cannot read, before sending anything', async () => {
  const before = target.total();
  const r = await load('p95>>3', path.join(dir, 'usage.json'));
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain('"p95>>3" is not METRIC OP VALUE');
  const unknown = await load('latency>3', path.join(dir, 'usage.json'));
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown metric "latency"');
  expect(target.total()).toBe(before);
});
