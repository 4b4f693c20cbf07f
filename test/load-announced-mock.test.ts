/**
 * Without --mock, `tapedeck load --from DIR` uses the mock already serving DIR (found through its
 * `.tapedeck/mock.json`) for the vendor side, and leaves that mock running. A mock serving another
 * folder is not taken for it.
 */
import { readFile, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockServer, type RunningMock } from '../proxy/mock-server.js';
import { RunReport } from '../shared/schema.js';
import { assertBuilt, runCli } from './support/cli.js';
import { chat, openai, recordSnapshot, snapshotWith } from './support/fault-sdk.js';
import { startLoadTarget, type LoadTarget } from './support/load-target.js';

let golden: Awaited<ReturnType<typeof recordSnapshot>>;
let dir = '';
let other = '';
let mock: RunningMock;
let target: LoadTarget;
beforeAll(async () => {
  assertBuilt();
  golden = await recordSnapshot();
  dir = await snapshotWith(golden, {});
  other = await snapshotWith(golden, {});
  mock = await startMockServer({
    dir,
    port: 0,
    watch: false,
    timing: { mode: 'instant' },
    log: () => undefined,
  });
  target = await startLoadTarget(async () => {
    await chat(openai(`${mock.url}/openai`));
    return { status: 200, body: 'ok' };
  });
}, 60_000);
afterAll(async () => {
  await target.close();
  await mock.close();
  for (const d of [dir, other, golden.dir]) await rm(d, { recursive: true, force: true });
});

it('reads the vendor side from the mock announced in --from', async () => {
  const requests = path.join(dir, 'requests.jsonl');
  await writeFile(requests, '{"method":"GET","path":"/"}\n');
  const report = path.join(dir, 'run.json');
  const r = await runCli(
    [
      'load',
      target.url,
      '--from',
      dir,
      '--requests',
      requests,
      '--steps',
      '1',
      '--count',
      '1',
      '--report',
      report,
    ],
    { timeoutMs: 60_000 },
  );
  expect(r.code).toBe(0);
  const run = RunReport.parse(JSON.parse(await readFile(report, 'utf8')));
  expect(run.mock).toEqual({ url: mock.url, dir: await realpath(dir), scenario: null });
  expect(run.steps[0]?.vendors.openai).toMatchObject({ share: 1, requests: 1, matched: 1 });
  // Still serving: the run borrowed it.
  expect((await fetch(`${mock.url}/__tapedeck/health`)).status).toBe(200);

  const elsewhere = path.join(other, 'run.json');
  const o = await runCli(
    [
      'load',
      target.url,
      '--from',
      other,
      '--requests',
      requests,
      '--steps',
      '1',
      '--count',
      '1',
      '--report',
      elsewhere,
    ],
    { timeoutMs: 60_000 },
  );
  expect(o.code).toBe(0);
  expect(o.stderr).toContain('no vendor mock');
  const alone = RunReport.parse(JSON.parse(await readFile(elsewhere, 'utf8')));
  expect(alone.mock).toBeNull();
  expect(alone.steps[0]?.vendors).toEqual({});
});
