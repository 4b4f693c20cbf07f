/**
 * A run's seconds put the vendor requests in the second they were made: a service that calls the
 * mock once per request (the real `openai` SDK), driven at a steady rate, shows in each second as
 * many vendor requests as it answered there. The sampler reads the mock on the run's whole
 * seconds; a read taken a second late would leave the step's first second without vendors and
 * move every count one second on.
 */
import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSteps } from '../proxy/load/runner.js';
import { startMockServer, type RunningMock } from '../proxy/mock-server.js';
import { chat, openai, recordSnapshot, snapshotWith } from './support/fault-sdk.js';
import { startLoadTarget, type LoadTarget } from './support/load-target.js';

let golden: Awaited<ReturnType<typeof recordSnapshot>>;
let dir = '';
let mock: RunningMock;
let target: LoadTarget;
beforeAll(async () => {
  golden = await recordSnapshot();
  dir = await snapshotWith(golden, {});
  mock = await startMockServer({
    dir,
    port: 0,
    watch: false,
    announce: false,
    timing: { mode: 'instant' },
    log: () => undefined,
  });
  const client = openai(`${mock.url}/openai`);
  target = await startLoadTarget(async () => {
    await chat(client);
    return { status: 200, body: 'ok' };
  });
}, 60_000);
afterAll(async () => {
  await target.close();
  await mock.close();
  for (const d of [dir, golden.dir]) await rm(d, { recursive: true, force: true });
});

it("counts each second's vendor requests in that second, the step's first one included", async () => {
  // The step starts 300 ms into the run's second 0, as a step after the first usually does.
  const runStart = performance.now() - 300;
  const [step] = await runSteps(
    {
      target: target.url,
      requests: [{ method: 'POST', path: '/ask', headers: {}, body: null }],
      steps: [2],
      durationMs: 2500,
      count: null,
      timeoutMs: 10_000,
      rate: 40,
      mockUrl: mock.url,
    },
    runStart,
  );
  if (!step) throw new Error('no step');
  expect(step.errors).toBe(0);
  const vendorTotal = step.seconds.reduce((a, s) => a + (s.vendors.openai ?? 0), 0);
  expect(vendorTotal).toBe(step.vendors.openai?.requests);
  expect(vendorTotal).toBe(step.requests);
  const first = step.seconds.find((s) => s.t === 0);
  expect(first?.requests).toBeGreaterThan(10);
  for (const s of step.seconds) {
    const vendor = s.vendors.openai ?? 0;
    // Only a request whose vendor call ended just before a second's end and its reply just
    // after (or a read a busy event loop made late) differs; a shifted count differs by a
    // whole second's worth: about 40, 28 in the first.
    expect(Math.abs(vendor - s.requests), `second ${s.t}`).toBeLessThanOrEqual(8);
  }
}, 30_000);
