import { join } from 'node:path';
import type { Agent } from 'undici';
import { Call } from '../shared/schema.js';
import { replayRequest } from './calls.js';
import { spawnChild, type Child } from './child.js';
import { LOAD_CPU, SERVER_CPU, canPin } from './pin.js';
import type { Figure, FigureContext } from './figure.js';
import { chatCompletionCall } from './fixtures.js';
import { atOrigin, keepAliveAgent, send, type HttpRequest } from './http.js';
import { assertClean, runLoad, type LoadResult } from './load.js';
import { startMockoon } from './mockoon.js';
import { serverScript } from './paths.js';
import { ensurePeersInstalled, javaVersion } from './peers.js';
import { atLeast, fmt, row, say, type Check } from './report.js';
import { writeSnapshot } from './snapshot-gen.js';
import { staticResponseOf, writeStaticResponse, type StaticResponse } from './static-response.js';
import { startTapedeck } from './tapedeck.js';
import { startWireMock } from './wiremock.js';

const FIGURE = 'mock-throughput';
const CONNECTIONS = 50;

interface Plan {
  warmupS: number;
  /** Tapedeck and the bare baseline alternate in rounds, so drift on a shared machine cancels. */
  rounds: number;
  roundS: number;
  peerS: number;
  /** The JVM compiles its hot paths during the first seconds. */
  jvmWarmupS: number;
}

const FULL: Plan = { warmupS: 3, rounds: 2, roundS: 5, peerS: 10, jvmWarmupS: 6 };
const QUICK: Plan = { warmupS: 1, rounds: 1, roundS: 2, peerS: 2, jvmWarmupS: 2 };

interface Peer {
  name: string;
  /** Tapedeck must serve at least this many times the peer's requests/s. */
  times: number;
  warmupS: (plan: Plan) => number;
  start: (
    workDir: string,
    req: HttpRequest,
    res: StaticResponse,
    agent: Agent,
  ) => Promise<{ child: Child; url: string }>;
}

const PEERS: Peer[] = [
  { name: 'Mockoon CLI', times: 5, warmupS: (p) => p.warmupS, start: startMockoon },
  {
    name: 'WireMock',
    times: 2,
    warmupS: (p) => p.jvmWarmupS,
    async start(workDir, req, res, agent) {
      say(`  WireMock runs on ${await javaVersion()}`);
      return startWireMock(workDir, req, res, agent);
    },
  },
];

export const mockThroughput: Figure = {
  name: FIGURE,
  title: `mock throughput: recorded ~1 KB chat completion, ${CONNECTIONS} keep-alive connections`,
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const agent = keepAliveAgent();
    try {
      const { tapedeckRps, req, response, checks } = await againstBare(ctx, plan, agent);
      for (const peer of PEERS)
        checks.push(await againstPeer(ctx, plan, agent, peer, tapedeckRps, req, response));
      return checks;
    } finally {
      await agent.close();
    }
  },
};

function loader(ctx: FigureContext, cpu?: number) {
  const bodyFile = join(ctx.workDir, 'request-body.json');
  return (req: HttpRequest, durationS: number): Promise<LoadResult> =>
    runLoad(req, {
      connections: CONNECTIONS,
      durationS,
      bodyFile,
      ...(cpu === undefined ? {} : { cpu }),
    });
}

async function againstBare(ctx: FigureContext, plan: Plan, agent: Agent) {
  // Both single-threaded Node servers get one core each time, the load generator the other.
  const load = loader(ctx, canPin ? LOAD_CPU : undefined);
  const serverCpu = canPin ? SERVER_CPU : undefined;
  if (canPin)
    say(
      `  tapedeck and bare node:http pinned to core ${SERVER_CPU}, autocannon to core ${LOAD_CPU}`,
    );
  const call = Call.parse(chatCompletionCall());
  const snapshotDir = join(ctx.workDir, 'snapshot');
  await writeSnapshot(snapshotDir, [call]);

  const tapedeck = await startTapedeck(
    'mock',
    snapshotDir,
    ['--timing', 'instant'],
    join(ctx.workDir, 'tapedeck.log'),
    serverCpu,
  );
  let bare: Child | undefined;
  try {
    const req = replayRequest(call, tapedeck.url);
    const first = await send(agent, req);
    if (first.status !== 200) {
      throw new Error(
        `tapedeck mock answered ${first.status}: ${first.body.toString('utf8').slice(0, 500)}`,
      );
    }
    // Every other server replays exactly what Tapedeck sent: same status, headers and bytes.
    const response = staticResponseOf(first);
    say(
      `  POST ${req.body?.length ?? 0} B of JSON, reply ${response.body.length} B; ${plan.rounds}×${plan.roundS} s each`,
    );

    const configFile = await writeStaticResponse(join(ctx.workDir, 'bare-response.json'), response);
    bare = spawnChild(
      'bare node:http',
      process.execPath,
      [serverScript('static-server'), configFile],
      {
        logFile: join(ctx.workDir, 'bare.log'),
        ...(serverCpu === undefined ? {} : { cpu: serverCpu }),
      },
    );
    const bareReq = atOrigin(req, (await bare.listening(10_000)).url);
    await expectSame(agent, bareReq, response, 'bare node:http');

    assertClean('bare warm-up', await load(bareReq, plan.warmupS));
    assertClean('tapedeck warm-up', await load(req, plan.warmupS));
    const bareRuns: LoadResult[] = [];
    const tapedeckRuns: LoadResult[] = [];
    for (let i = 0; i < plan.rounds; i++) {
      bareRuns.push(assertClean('bare node:http', await load(bareReq, plan.roundS)));
      tapedeckRuns.push(assertClean('tapedeck mock', await load(req, plan.roundS)));
    }
    detail('bare node:http', bareRuns);
    detail('tapedeck mock', tapedeckRuns);

    const tapedeckRps = mean(tapedeckRuns.map((r) => r.rps));
    const ratio = tapedeckRps / mean(bareRuns.map((r) => r.rps));
    const checks: Check[] = [
      {
        figure: FIGURE,
        what: 'tapedeck / bare node:http',
        measured: fmt.ratio(ratio),
        target: '≥ 0.70×',
        verdict: atLeast(ratio, 0.7),
      },
    ];
    return { tapedeckRps, req, response, checks };
  } finally {
    await bare?.stop();
    await tapedeck.child.stop();
  }
}

async function againstPeer(
  ctx: FigureContext,
  plan: Plan,
  agent: Agent,
  peer: Peer,
  tapedeckRps: number,
  tapedeckReq: HttpRequest,
  response: StaticResponse,
): Promise<Check> {
  const load = loader(ctx);
  const what = `tapedeck / ${peer.name}`;
  const target = `≥ ${peer.times}×`;
  let server: { child: Child; url: string } | undefined;
  try {
    await ensurePeersInstalled(say);
    server = await peer.start(ctx.workDir, tapedeckReq, response, agent);
    const req = atOrigin(tapedeckReq, server.url);
    await expectSame(agent, req, response, peer.name);
    assertClean(`${peer.name} warm-up`, await load(req, peer.warmupS(plan)));
    const run = assertClean(peer.name, await load(req, plan.peerS));
    detail(peer.name, [run]);
    const ratio = tapedeckRps / run.rps;
    return {
      figure: FIGURE,
      what,
      measured: fmt.ratio(ratio),
      target,
      verdict: atLeast(ratio, peer.times),
    };
  } catch (err) {
    // A peer that cannot run is reported and skipped, never fatal: it is not part of Tapedeck.
    const reason = (err instanceof Error ? err.message : String(err)).split('\n').slice(0, 8);
    say(`  skipped: ${peer.name}: ${reason.join('\n    ')}`);
    return { figure: FIGURE, what, measured: 'skipped', target, verdict: 'SKIP' };
  } finally {
    await server?.child.stop();
  }
}

async function expectSame(
  agent: Agent,
  req: HttpRequest,
  expected: StaticResponse,
  name: string,
): Promise<void> {
  const res = await send(agent, req);
  const body = res.body.toString('utf8');
  if (res.status !== expected.status || body !== expected.body) {
    throw new Error(
      `${name} does not serve the recorded reply: ${res.status} ${body.slice(0, 300)}`,
    );
  }
}

function detail(name: string, runs: LoadResult[]): void {
  row(
    name,
    fmt.rps(mean(runs.map((r) => r.rps))).padStart(14),
    `p50 ${fmt.ms(mean(runs.map((r) => r.latencyP50Ms)))}`,
    `p99 ${fmt.ms(mean(runs.map((r) => r.latencyP99Ms)))}`,
  );
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
