// Drives requests round robin through three fake vendors served by `tapedeck mock` with the
// three-vendors scenario, and prints what each vendor did to the app: ok, slow, timed out, broken
// tool call, error, with p50/p95 latency.
//   node examples/three-vendors/drive.mjs [--url URL] [--requests 120] [--concurrency 10]
//        [--timeout-ms 5000] [--slow-ms 1000] [--seed 1] [--json]
// Without --url it starts `tapedeck mock snapshot --scenario three-vendors` itself.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { startTapedeck } from './tapedeck.mjs';
import { VENDORS, ask, brokenToolCall } from './vendors.mjs';

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    requests: { type: 'string', default: '120' },
    concurrency: { type: 'string', default: '10' },
    'timeout-ms': { type: 'string', default: '5000' },
    'slow-ms': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
  },
});
const requests = Number(opts.requests);
const concurrency = Number(opts.concurrency);
const timeoutMs = Number(opts['timeout-ms']);
const slowMs = Number(opts['slow-ms']);
for (const [name, n] of Object.entries({ requests, concurrency, timeoutMs, slowMs })) {
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`drive.mjs: ${name} must be a positive integer`);
    process.exit(2);
  }
}

const snapshot = fileURLToPath(new URL('./snapshot', import.meta.url));
const mock = opts.url
  ? { url: opts.url.replace(/\/$/, ''), stop: async () => 0 }
  : await startTapedeck(
      ['mock', snapshot, '--scenario', 'three-vendors', '--seed', opts.seed, '--port', '0'],
      { quiet: true },
    );

/** What one request did to the app. */
async function once(vendor, client) {
  const t0 = performance.now();
  try {
    const reply = await ask(client, vendor);
    const ms = performance.now() - t0;
    const broken = brokenToolCall(reply);
    if (broken) return { outcome: 'broken tool call', ms, detail: broken };
    return { outcome: ms > slowMs ? 'slow' : 'ok', ms };
  } catch (err) {
    const ms = performance.now() - t0;
    if (err instanceof OpenAI.APIConnectionTimeoutError) return { outcome: 'timed out', ms };
    return { outcome: 'error', ms, detail: err.status ? `${err.status}` : String(err) };
  }
}

const OUTCOMES = ['ok', 'slow', 'timed out', 'broken tool call', 'error'];
const results = Object.fromEntries(VENDORS.map((v) => [v.name, []]));
const clients = Object.fromEntries(
  VENDORS.map((v) => [
    v.name,
    // No retries: each request is one attempt, so the counts show the vendor, not the SDK.
    new OpenAI({
      apiKey: 'sk-example-not-a-real-key',
      baseURL: `${mock.url}/${v.name}/v1`,
      maxRetries: 0,
      timeout: timeoutMs,
    }),
  ]),
);

const started = performance.now();
let exitCode = 0;
try {
  // Counters start at zero, so "after request 50" means the 50th request of this run.
  const reset = await fetch(`${mock.url}/__tapedeck/reset`, { method: 'POST' });
  if (!reset.ok) throw new Error(`POST /__tapedeck/reset answered ${reset.status}`);
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const i = next++;
      const vendor = VENDORS[i % VENDORS.length];
      results[vendor.name].push({ request: i + 1, ...(await once(vendor, clients[vendor.name])) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  report(await settledStats(), performance.now() - started);
} catch (err) {
  console.error(`drive.mjs: ${err.message}`);
  exitCode = 1;
} finally {
  const code = await mock.stop();
  if (code !== 0 && exitCode === 0) exitCode = 1;
}
process.exitCode = exitCode;

/**
 * The mock counts a fault when its request ends, and a request the client timed out ends when the
 * mock sees the connection close, a moment later: read the stats once two reads agree.
 */
async function settledStats() {
  const read = async () => (await fetch(`${mock.url}/__tapedeck/stats`)).json();
  let last = await read();
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await read();
    if (JSON.stringify(now.upstreams) === JSON.stringify(last.upstreams)) return now;
    last = now;
  }
  return last;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(list) {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const r of list) counts[r.outcome]++;
  // A timed-out request counts with the time the app waited for it.
  const ms = list.map((r) => r.ms).sort((a, b) => a - b);
  return {
    requests: list.length,
    counts,
    p50Ms: Math.round(percentile(ms, 50) ?? 0),
    p95Ms: Math.round(percentile(ms, 95) ?? 0),
    broken: list.filter((r) => r.detail && r.outcome === 'broken tool call').map((r) => r.detail),
    failedRequests: list.filter((r) => r.outcome !== 'ok').map((r) => r.request),
  };
}

function report(stats, elapsedMs) {
  const vendors = Object.fromEntries(VENDORS.map((v) => [v.name, summary(results[v.name])]));
  if (opts.json) {
    const mockFaults = Object.fromEntries(
      VENDORS.map((v) => [v.name, stats.upstreams?.[v.name]?.faults ?? {}]),
    );
    console.log(JSON.stringify({ requests, timeoutMs, slowMs, elapsedMs, vendors, mockFaults }));
    return;
  }
  const cols = ['vendor', 'requests', ...OUTCOMES, 'p50', 'p95'];
  const rows = VENDORS.map((v) => {
    const s = vendors[v.name];
    return [
      `${v.name} (${v.model})`,
      String(s.requests),
      ...OUTCOMES.map((o) => String(s.counts[o])),
      `${s.p50Ms} ms`,
      `${s.p95Ms} ms`,
    ];
  });
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(
    `${requests} requests round robin, ${concurrency} at a time, client timeout ${timeoutMs} ms, ` +
      `slow > ${slowMs} ms, in ${(elapsedMs / 1000).toFixed(1)} s\n`,
  );
  console.log(line(cols));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
  console.log('\nfaults the mock reports (GET /__tapedeck/stats):');
  for (const v of VENDORS) {
    const f = stats.upstreams?.[v.name]?.faults ?? {};
    const list = Object.entries(f).map(([k, n]) => `${k} ${n}`);
    console.log(`  ${v.name}: ${list.length ? list.join(', ') : 'none'}`);
  }
  const broken = VENDORS.flatMap((v) => vendors[v.name].broken.map((d) => `${v.name}: ${d}`));
  if (broken.length) console.log(`\nbroken tool calls: ${broken.join('; ')}`);
}
