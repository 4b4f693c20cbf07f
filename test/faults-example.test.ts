/**
 * examples/three-vendors: the committed snapshot loads, its scenario plans what the README says
 * (checked on the pure engine over the 120 requests of a run), and the driver script, run against
 * the built CLI, reports per-vendor outcomes that follow the scenario.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scopedFaults } from '../proxy/replay-index.js';
import { loadSnapshot } from '../proxy/store/snapshot-store.js';
import { FaultEngine } from '../shared/faults/engine.js';
import { toolCallsOf } from '../shared/tool-calls/index.js';
import { assertBuilt, repoRoot } from './support/cli.js';

const example = path.join(repoRoot, 'examples', 'three-vendors');
const snapshotDir = path.join(example, 'snapshot');
const VENDORS = ['a', 'b', 'c'] as const;
const REQUESTS = 120;

describe('the three-vendors snapshot', () => {
  it('is recorder output for upstreams a, b and c, each answering with a web_search call', async () => {
    const snapshot = await loadSnapshot(snapshotDir);
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.manifest?.recorder).toMatch(/^tapedeck /);
    expect(snapshot.calls.map((c) => c.call.upstream)).toEqual([...VENDORS]);
    for (const { call } of snapshot.calls) {
      expect(call.outcome).toBe('complete');
      expect(call.request.headers['authorization']).toBe('[REDACTED]');
      expect(toolCallsOf(call).map((t) => t.name)).toEqual(['web_search']);
    }
    expect(Object.keys(snapshot.scenarios)).toEqual(['three-vendors']);
  });

  it('plans what the README promises over a 120-request round-robin run', async () => {
    const snapshot = await loadSnapshot(snapshotDir);
    const engine = new FaultEngine({
      seed: '1',
      scoped: scopedFaults(snapshot, 'three-vendors'),
    });
    const seen: Record<string, Array<{ n: number; global: number; plan: string }>> = {
      a: [],
      b: [],
      c: [],
    };
    for (let i = 0; i < REQUESTS; i++) {
      const upstream = VENDORS[i % 3] as (typeof VENDORS)[number];
      const entry = snapshot.calls[i % 3];
      const call = entry?.call;
      if (!call) throw new Error('missing call');
      const plan = engine.plan(
        { upstream, provider: call.provider, model: call.model, path: '/v1/chat/completions' },
        call.id,
        null,
        0,
      );
      const what = plan.fired.length
        ? `${plan.fired.map((f) => f.kind).join(',')}:${plan.malformed?.mode ?? Math.round(plan.ttfbMs ?? 0)}`
        : '';
      seen[upstream]?.push({ n: seen[upstream].length + 1, global: i + 1, plan: what });
    }

    // A: every reply delayed around 400 ms (normal, sd 40).
    for (const r of seen['a'] ?? []) {
      const [kind, ms] = r.plan.split(':');
      expect(kind).toBe('latency');
      expect(Number(ms)).toBeGreaterThan(400 - 4 * 40);
      expect(Number(ms)).toBeLessThan(400 + 4 * 40);
    }
    // B: untouched up to request 50 of the run, then 8–12 s.
    for (const r of seen['b'] ?? []) {
      if (r.global <= 50) expect(r.plan, `request ${r.global}`).toBe('');
      else {
        const [kind, ms] = r.plan.split(':');
        expect(kind).toBe('latency');
        expect(Number(ms)).toBeGreaterThanOrEqual(8000);
        expect(Number(ms)).toBeLessThanOrEqual(12000);
      }
    }
    expect(seen['b']?.filter((r) => r.plan !== '')).toHaveLength(23);
    // C: every tenth of its replies has a broken tool call, name and arguments in turn.
    expect(seen['c']?.filter((r) => r.plan !== '').map((r) => `${r.n} ${r.plan}`)).toEqual([
      '10 malformed:toolName',
      '20 malformed:toolArgs',
      '30 malformed:toolName',
      '40 malformed:toolArgs',
    ]);
  });
});

interface VendorSummary {
  requests: number;
  counts: Record<'ok' | 'slow' | 'timed out' | 'broken tool call' | 'error', number>;
  p50Ms: number;
  p95Ms: number;
  broken: string[];
}

interface DriveReport {
  requests: number;
  vendors: Record<string, VendorSummary>;
  mockFaults: Record<string, Record<string, number>>;
}

function runDrive(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(example, 'drive.mjs'), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('drive.mjs', () => {
  it('drives 120 requests through `tapedeck mock --scenario three-vendors` and reports each vendor', async () => {
    assertBuilt();
    // A shorter client timeout than the default 5 s: B's 8–12 s replies time out all the same.
    const r = await runDrive(['--json', '--timeout-ms', '1500', '--concurrency', '12']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as DriveReport;
    expect(report.requests).toBe(REQUESTS);
    const { a, b, c } = report.vendors as Record<'a' | 'b' | 'c', VendorSummary>;

    expect(a.counts).toEqual({ ok: 40, slow: 0, 'timed out': 0, 'broken tool call': 0, error: 0 });
    // ~400 ms, within WireMock's ±33%.
    expect(a.p50Ms).toBeGreaterThanOrEqual(400 * 0.67);
    expect(a.p50Ms).toBeLessThanOrEqual(400 * 1.33);

    // B's slow phase starts at request 51 of the run: 23 of its 40 requests come after it.
    // Concurrent requests may reach the mock slightly out of order, hence the tolerance.
    expect(b.counts.ok + b.counts['timed out']).toBe(40);
    expect(b.counts['timed out']).toBeGreaterThanOrEqual(21);
    expect(b.counts['timed out']).toBeLessThanOrEqual(25);
    expect(b.counts['broken tool call'] + b.counts.error + b.counts.slow).toBe(0);
    expect(b.p95Ms).toBeGreaterThanOrEqual(1500);

    // C's counter is its own: exactly 4 of its 40 replies are broken, whatever the order.
    expect(c.counts).toEqual({ ok: 36, slow: 0, 'timed out': 0, 'broken tool call': 4, error: 0 });
    expect([...c.broken].sort()).toEqual([
      'query is ["Find this week’s news about solar storms and summarise it."]',
      'query is ["Find this week’s news about solar storms and summarise it."]',
      'unknown tool "web_serch"',
      'unknown tool "web_serch"',
    ]);

    expect(report.mockFaults['a']).toEqual({ latency: 40 });
    expect(report.mockFaults['c']).toEqual({ malformed: 4 });
    // The mock counts a fault when its request ends; the last timed-out ones may still be closing.
    expect(report.mockFaults['b']?.['latency']).toBeGreaterThanOrEqual(b.counts['timed out'] - 2);
    expect(report.mockFaults['b']?.['latency']).toBeLessThanOrEqual(b.counts['timed out']);
  }, 60_000);

  it('refuses a bad option value with exit code 2', async () => {
    const r = await runDrive(['--requests', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/requests must be a positive integer/);
  });
});
