/**
 * The vendor side of a run, from the mock's samples: `tapedeck load --mock DIR` (the built CLI)
 * against a node:http service that calls the vendor through the real `openai` SDK. The 2nd vendor
 * call hangs until the service's SDK timeout gives up on it (a give-up at the mock), the 3rd gets a
 * malformed tool call (parser-error risk). The report's step has the vendor's p95, TTFB p95, peaks,
 * give-ups and malformed, and its seconds the mock's per-second figures, adding up to the calls.
 * An older mock without `/__tapedeck/samples` leaves those fields out and the run goes on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSteps } from '../proxy/load/runner.js';
import { ANNOUNCE_FILE } from '../shared/mock-link.js';
import { RunReport } from '../shared/schema.js';
import { assertBuilt, runCli } from './support/cli.js';
import { chat, openai, recordSnapshot, snapshotWith } from './support/fault-sdk.js';
import { startLoadTarget, type LoadTarget } from './support/load-target.js';

let golden: Awaited<ReturnType<typeof recordSnapshot>>;
let dir = '';
let target: LoadTarget;
beforeAll(async () => {
  assertBuilt();
  golden = await recordSnapshot();
  dir = await snapshotWith(golden, {
    calls: {
      chat: [
        { kind: 'hang', beforeHeadersMs: null, when: { requests: '2' } },
        { kind: 'malformed', mode: 'toolArgs', when: { requests: '3' } },
      ],
    },
  });
  target = await startLoadTarget(async () => {
    const { url } = JSON.parse(await readFile(path.join(dir, ANNOUNCE_FILE), 'utf8')) as {
      url: string;
    };
    // The service's own budget for a vendor call: the hung one is given up on.
    const client = openai(`${url}/openai`, { maxRetries: 0, timeout: 500 });
    try {
      const reply = await chat(client);
      return { status: 200, body: JSON.stringify({ n: reply.choices.length }) };
    } catch (e) {
      return { status: 504, body: String(e) };
    }
  });
}, 60_000);
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
  await rm(golden.dir, { recursive: true, force: true });
});

describe('tapedeck load with a mock that samples', () => {
  it("reports each vendor's p95, TTFB, peaks, give-ups and malformed replies", async () => {
    const report = path.join(dir, 'run.json');
    const requests = path.join(dir, 'requests.jsonl');
    await writeFile(requests, '{"method":"POST","path":"/ask","body":{"q":"weather"}}\n');
    const r = await runCli(
      [
        'load',
        target.url,
        '--requests',
        requests,
        '--steps',
        '1',
        '--count',
        '4',
        '--mock',
        dir,
        '--report',
        report,
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.code).toBe(0);
    const run = RunReport.parse(JSON.parse(await readFile(report, 'utf8')));
    const step = run.steps[0];
    expect(step).toMatchObject({ requests: 4, errors: 1, errorsByStatus: { '504': 1 } });
    const v = step?.vendors.openai;
    expect(v).toMatchObject({ requests: 4, giveUps: 1, errors: 0, malformed: 1 });
    expect(v?.faults).toMatchObject({ hang: 1, malformed: 1 });
    expect(v?.peakInFlight).toBeGreaterThanOrEqual(1);
    expect(v?.peakWaiting).toBeGreaterThanOrEqual(1);
    expect(v?.p95Ms).toBeGreaterThan(0);
    expect(v?.ttfbP95Ms).toBeGreaterThan(0);
    // The hung call waited for its first byte for as long as the service's budget: the peak of
    // the queue is at least 1 in a second it hung in, and it shows in the run's seconds.
    const seconds = step?.seconds ?? [];
    const side = seconds.flatMap((s) => (s.vendorSide?.openai ? [s.vendorSide.openai] : []));
    expect(side.reduce((n, s) => n + s.requests, 0)).toBe(4);
    expect(side.reduce((n, s) => n + s.giveUps, 0)).toBe(1);
    expect(side.reduce((n, s) => n + s.malformed, 0)).toBe(1);
    expect(side.some((s) => s.waiting >= 1)).toBe(true);
    expect(seconds.some((s) => (s.connections ?? 0) > 0)).toBe(true);
    // The histograms stay with the mock; the report carries the figures.
    for (const s of side) expect(s.histograms).toBeUndefined();
    // Run seconds are whole, from the run's start; every sampled second lands in one.
    for (const s of seconds) expect(Number.isInteger(s.t)).toBe(true);

    expect(r.stdout).toContain('malformed (parser-error risk)');
    expect(r.stdout).toMatch(/^ {2}openai +100% +4 +\d+ ms +\d+ ms +\d+ +\d+ +1 +0 +1$/m);
  });

  it('goes on without them against a mock that has no /__tapedeck/samples', async () => {
    // An older mock: its stats, and a 404 for anything else.
    const old = http.createServer((req, res) => {
      if (req.url === '/__tapedeck/stats') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ upstreams: {} }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    const target2 = await startLoadTarget();
    try {
      const mockUrl = `http://127.0.0.1:${(old.address() as AddressInfo).port}`;
      const steps = await runSteps({
        target: target2.url,
        requests: [{ method: 'GET', path: '/', headers: {}, body: null }],
        steps: [2],
        durationMs: null,
        count: 3,
        timeoutMs: 10_000,
        rate: null,
        mockUrl,
      });
      expect(steps[0]?.requests).toBe(3);
      for (const s of steps[0]?.seconds ?? []) {
        expect(s.vendorSide).toBeUndefined();
        expect(s.connections).toBeUndefined();
      }
      expect(steps[0]?.vendors).toEqual({});
    } finally {
      await target2.close();
      old.closeAllConnections();
      await new Promise<void>((resolve) => old.close(() => resolve()));
    }
  });
});
