/**
 * examples/gateway against examples/three-vendors under `tapedeck load --steps 5,20,50,100`: the
 * gateway-testing guide's success criteria, from the gateway's log and the run report. A shortened
 * run (40 requests a step); `node dist/examples/gateway/loop.js` runs the full steps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linesOf } from '../examples/gateway/criteria.js';
import { runGatewayLoop, type LoopResult } from '../examples/gateway/loop.js';

let out: string;
let run: LoopResult;

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'tapedeck-gateway-'));
  run = await runGatewayLoop({ steps: '5,20,50,100', count: 40, out, seed: '1', stdio: 'ignore' });
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the gateway example under load steps', () => {
  it('runs every step with the exact request count', () => {
    expect(run.report.steps.map((s) => [s.concurrency, s.requests])).toEqual([
      [5, 40],
      [20, 40],
      [50, 40],
      [100, 40],
    ]);
    expect(run.report.mock?.scenario).toBe('three-vendors');
  });

  it.each([0, 1, 2, 3, 4])('meets criterion %i', (i) => {
    const v = run.verdicts[i];
    expect(v, 'a verdict').toBeDefined();
    expect(v?.ok, `${v?.name}: ${v?.detail}`).toBe(true);
  });

  it('shows the vendor side: b abandoned by the gateway, c sending a broken tool call', () => {
    const vendor = (name: string) => run.report.steps.map((s) => s.vendors[name]);
    expect(vendor('b').reduce((n, v) => n + (v?.giveUps ?? 0), 0)).toBeGreaterThan(0);
    expect(vendor('c').reduce((n, v) => n + (v?.malformed ?? 0), 0)).toBeGreaterThan(0);
    // Once b is out, a takes the traffic: the last step is all a.
    expect(run.report.steps.at(-1)?.vendors['a']?.share).toBe(1);
  });

  it("logs request 67's whole route: the rule of each decision, its id and vendor", () => {
    const lines = linesOf(run.lines, 67);
    expect(lines.map((l) => l.event)).toContain('route');
    for (const l of lines) {
      expect(l.requestId).toBe('req-67');
      expect(l.rule).not.toBe('');
      expect(typeof l.vendor).toBe('string');
    }
    expect(lines.at(-1)).toMatchObject({ event: 'done', vendor: 'a' });
  });
});
