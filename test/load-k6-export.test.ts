/**
 * `tapedeck load … --export k6 FILE` writes a k6 script instead of running: an ES module that
 * parses as JavaScript, with one scenario per step (named step_N, started one after the other)
 * and the requests inlined. Nothing is sent to the target.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { assertBuilt, runCli } from './support/cli.js';
import { startLoadTarget, type LoadTarget } from './support/load-target.js';

beforeAll(assertBuilt);
let dir = '';
let target: LoadTarget | null = null;
afterEach(async () => {
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The `options` object literal of the script, evaluated on its own. */
interface K6Options {
  scenarios: Record<string, Record<string, unknown>>;
  thresholds?: Record<string, string[]>;
}

function optionsOf(script: string): K6Options {
  const m = /export const options = (\{[\s\S]*?\n\});/.exec(script);
  if (!m?.[1]) throw new Error('no options in the script');
  return vm.runInNewContext(`(${m[1]})`) as K6Options;
}

it('writes a k6 module that parses and names every step', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-k6-'));
  target = await startLoadTarget();
  const requests = path.join(dir, 'requests.jsonl');
  await writeFile(
    requests,
    '{"method":"POST","path":"/v1/route","body":{"q":"it\'s `a` ${x}"}}\n{"method":"GET","path":"/health"}\n',
  );
  const file = path.join(dir, 'load.mjs');
  const r = await runCli([
    'load',
    target.url,
    '--requests',
    requests,
    '--steps',
    '5,20,50',
    '--duration',
    '30s',
    '--timeout',
    '2s',
    '--export',
    'k6',
    file,
  ]);
  expect(r.code).toBe(0);
  expect(target.total()).toBe(0);
  const script = await readFile(file, 'utf8');
  await promisify(execFile)(process.execPath, ['--check', file]);
  const { scenarios } = optionsOf(script);
  expect(Object.keys(scenarios)).toEqual(['step_5', 'step_20', 'step_50']);
  expect(scenarios.step_5).toMatchObject({
    executor: 'constant-vus',
    vus: 5,
    duration: '30s',
    startTime: '0s',
  });
  expect(scenarios.step_20).toMatchObject({ vus: 20, startTime: '30s' });
  expect(scenarios.step_50).toMatchObject({ vus: 50, startTime: '1m' });
  expect(script).toContain('"/v1/route"');
  expect(script).toContain(JSON.stringify(JSON.stringify({ q: "it's `a` ${x}" })));
  expect(script).toContain('const TIMEOUT = "2s"');
  expect(script).toContain('http.request(r.method, TARGET + r.path');

  const counted = path.join(dir, 'count.mjs');
  const c = await runCli([
    'load',
    '--export',
    'k6',
    counted,
    target.url,
    '--requests',
    requests,
    '--steps',
    '2,4',
    '--count',
    '10',
    '--fail-if',
    'p95>3000,errors>1%,retries/request>0.5',
  ]);
  expect(c.code).toBe(0);
  const countScript = await readFile(counted, 'utf8');
  const byCount = optionsOf(countScript).scenarios;
  // --fail-if becomes k6 thresholds per step; what k6 cannot see is named, not dropped.
  expect(optionsOf(countScript)).toMatchObject({
    thresholds: {
      'http_req_duration{scenario:step_2}': ['p(95)<=3000'],
      'http_req_failed{scenario:step_4}': ['rate<=0.01'],
    },
  });
  expect(countScript).toContain('cannot check (it does not see the mock): retries/request>0.5');
  expect(byCount.step_2).toMatchObject({ executor: 'shared-iterations', vus: 2, iterations: 10 });
  expect(byCount.step_4).toMatchObject({ executor: 'shared-iterations', vus: 4, iterations: 10 });
});
