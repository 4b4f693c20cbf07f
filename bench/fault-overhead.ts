import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FaultEngine, sourcesOf } from '../shared/faults/engine.js';
import { Call, Fault, Manifest } from '../shared/schema.js';
import { replayRequest } from './calls.js';
import type { Figure } from './figure.js';
import { chatCompletionCall } from './fixtures.js';
import { keepAliveAgent, send, type HttpRequest } from './http.js';
import { assertClean, runLoad, type LoadResult } from './load.js';
import { atLeast, fmt, row, say, type Check } from './report.js';
import { writeSnapshot } from './snapshot-gen.js';
import { median } from './stats.js';
import { startTapedeck, type RunningTapedeck } from './tapedeck.js';

const FIGURE = 'fault-overhead';
const CONNECTIONS = 50;

interface Plan {
  warmupS: number;
  /** The servers take turns, round after round, so drift on a shared machine hits each alike. */
  rounds: number;
  roundS: number;
}

const FULL: Plan = { warmupS: 3, rounds: 10, roundS: 2 };
const QUICK: Plan = { warmupS: 1, rounds: 2, roundS: 1 };

/**
 * Faults a real tapedeck.json might carry that never apply to the benchmark's requests: the engine
 * checks their scope on every request and finds nothing to do.
 */
const FAULTS_ELSEWHERE = [
  { kind: 'rateLimit', after: 20, scope: { upstream: 'anthropic' } },
  { kind: 'latency', ttfb: { fixed: 5000 }, scope: { model: 'claude-*' } },
  { kind: 'serverError', status: 503, scope: { path: '/v1beta/*' }, when: { every: 10 } },
];

interface Variant {
  name: string;
  dir: string;
  flags: string[];
  server?: RunningTapedeck;
  req?: HttpRequest;
  runs: LoadResult[];
}

export const faultOverhead: Figure = {
  name: FIGURE,
  title: `fault machinery with no fault firing: mock throughput, ${CONNECTIONS} keep-alive connections`,
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const call = Call.parse(chatCompletionCall());
    const plain = join(ctx.workDir, 'snapshot');
    const elsewhere = join(ctx.workDir, 'snapshot-faults-elsewhere');
    await writeSnapshot(plain, [call]);
    await writeSnapshot(elsewhere, [call]);
    const manifestFile = join(elsewhere, 'tapedeck.json');
    const manifest = Manifest.parse(JSON.parse(await readFile(manifestFile, 'utf8')));
    await writeFile(
      manifestFile,
      JSON.stringify(Manifest.parse({ ...manifest, faults: FAULTS_ELSEWHERE }), null, 2) + '\n',
    );

    const variants: Variant[] = [
      { name: '--no-faults', dir: plain, flags: ['--no-faults'], runs: [] },
      { name: 'engine, zero faults', dir: plain, flags: [], runs: [] },
      { name: 'engine, 3 faults elsewhere', dir: elsewhere, flags: [], runs: [] },
    ];
    const bodyFile = join(ctx.workDir, 'request-body.json');
    const load = (req: HttpRequest, durationS: number) =>
      runLoad(req, { connections: CONNECTIONS, durationS, bodyFile });
    const agent = keepAliveAgent();
    try {
      for (const v of variants) {
        v.server = await startTapedeck(
          'mock',
          v.dir,
          ['--timing', 'instant', ...v.flags],
          join(ctx.workDir, `${v.name.replace(/\W+/g, '-')}.log`),
        );
        v.req = replayRequest(call, v.server.url);
        const first = await send(agent, v.req);
        if (first.status !== 200 || first.headers['x-tapedeck-fault'] !== undefined) {
          throw new Error(
            `${v.name}: expected a clean 200, got ${first.status} ${first.headers['x-tapedeck-fault'] ?? ''}`,
          );
        }
      }
      say(
        `  the same build three ways (same recorded ~1 KB chat completion, --timing instant); ` +
          `${plan.rounds}×${plan.roundS} s each, in turns`,
      );
      for (const v of variants)
        assertClean(`${v.name} warm-up`, await load(v.req as HttpRequest, plan.warmupS));
      for (let i = 0; i < plan.rounds; i++) {
        // Rotate who goes first, so no variant always follows the same one.
        for (let j = 0; j < variants.length; j++) {
          const v = variants[(i + j) % variants.length] as Variant;
          v.runs.push(assertClean(v.name, await load(v.req as HttpRequest, plan.roundS)));
        }
      }
    } finally {
      await agent.close();
      for (const v of variants) await v.server?.child.stop();
    }

    const rps = (v: Variant) => mean(v.runs.map((r) => r.rps));
    for (const v of variants) {
      row(
        v.name,
        fmt.rps(rps(v)).padStart(14),
        `p50 ${fmt.ms(mean(v.runs.map((r) => r.latencyP50Ms)))}`,
        `p99 ${fmt.ms(mean(v.runs.map((r) => r.latencyP99Ms)))}`,
      );
    }
    const [off, zero, elsewhereV] = variants as [Variant, Variant, Variant];
    // Each round measures the variants back to back: the median of the per-round ratios is what
    // load from other processes, which shifts from one second to the next, disturbs least.
    const ratios = (v: Variant) => v.runs.map((r, i) => r.rps / (off.runs[i] as LoadResult).rps);
    const zeroRatio = median(ratios(zero));
    const elsewhereRatio = median(ratios(elsewhereV));
    for (const [name, rs] of [
      ['zero faults', ratios(zero)],
      ['faults elsewhere', ratios(elsewhereV)],
    ] as const) {
      say(
        `  ${name} / --no-faults per round: ${rs.map((r) => r.toFixed(2)).join(' ')} (median ${fmt.ratio(median(rs))})`,
      );
    }
    // The engine's own cost, measured in this process where other load cannot hide it: the work
    // each request adds, against the time the mock spends per request at the measured rate.
    const perRequestUs = 1e6 / rps(off);
    const zeroNs = planCostNs([]);
    const elsewhereNs = planCostNs(FAULTS_ELSEWHERE);
    row(
      'FaultEngine.plan',
      `zero faults ${zeroNs.toFixed(0)} ns`,
      `3 faults elsewhere ${elsewhereNs.toFixed(0)} ns`,
      `(--no-faults served one request every ${perRequestUs.toFixed(0)} µs)`,
    );
    return [
      {
        figure: FIGURE,
        what: 'plan() per request, zero faults',
        measured: `${((zeroNs / 1000 / perRequestUs) * 100).toFixed(2)}%`,
        target: '—',
        verdict: 'INFO',
      },
      {
        figure: FIGURE,
        what: 'zero faults / --no-faults',
        measured: fmt.ratio(zeroRatio),
        target: '≥ 0.95×',
        verdict: atLeast(zeroRatio, 0.95),
      },
      {
        figure: FIGURE,
        what: 'faults elsewhere / --no-faults',
        measured: fmt.ratio(elsewhereRatio),
        target: '—',
        verdict: 'INFO',
      },
    ] satisfies Check[];
  },
};

/** ns per FaultEngine.plan call for a request none of `faults` applies to (median of 5 runs). */
function planCostNs(faults: readonly unknown[]): number {
  const engine = new FaultEngine({
    seed: '1',
    scoped: sourcesOf(
      faults.map((f) => Fault.parse(f)),
      'manifest',
    ),
  });
  const facts = {
    upstream: 'openai',
    provider: 'openai',
    model: 'gpt-4o-mini-2024-07-18',
    path: '/v1/chat/completions',
  };
  const n = 200_000;
  const runs: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      if (engine.plan(facts, 'c_bench', null, i).fired.length) throw new Error('a fault fired');
    }
    // The first run warms the JIT up.
    if (r > 0) runs.push(((performance.now() - t0) * 1e6) / n);
  }
  return median(runs);
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
