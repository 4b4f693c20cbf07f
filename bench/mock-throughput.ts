import { join } from 'node:path';
import type { Agent } from 'undici';
import { Call } from '../shared/schema.js';
import { startAimock, type RunningAimock } from './aimock.js';
import { chatReplyView } from './aimock-fixture.js';
import { replayRequest } from './calls.js';
import { cpuSeconds, spawnChild, type Child } from './child.js';
import { LOAD_CPU, SERVER_CPU, canPin } from './pin.js';
import type { Figure, FigureContext } from './figure.js';
import { chatCompletionCall, STREAM_CHUNK_CHARS, streamedChatCall } from './fixtures.js';
import { atOrigin, keepAliveAgent, send, type HttpRequest } from './http.js';
import { assertClean, runLoad, type LoadResult } from './load.js';
import { startMockoon } from './mockoon.js';
import { serverScript } from './paths.js';
import { ensureAimockInstalled, ensurePeersInstalled, javaVersion } from './peers.js';
import { atLeast, fmt, row, say, type Check } from './report.js';
import { writeSnapshot } from './snapshot-gen.js';
import { staticResponseOf, writeStaticResponse, type StaticResponse } from './static-response.js';
import { startTapedeck } from './tapedeck.js';
import { startWireMock } from './wiremock.js';

const FIGURE = 'mock-throughput';
const CONNECTIONS = 50;

interface Plan {
  warmupS: number;
  /** Tapedeck, the bare baseline and aimock alternate in rounds, so drift on a shared machine cancels. */
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
  title: `mock throughput: a recorded chat completion (~1 KB JSON, and streamed), ${CONNECTIONS} keep-alive connections`,
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const agent = keepAliveAgent();
    try {
      say('  JSON reply');
      const json = await sideBySide(ctx, plan, agent, 'JSON', chatCompletionCall());
      const checks = json.checks;
      for (const peer of PEERS)
        checks.push(
          await againstPeer(ctx, plan, agent, peer, json.tapedeckRps, json.req, json.response),
        );
      say();
      say(`  SSE reply`);
      checks.push(...(await sideBySide(ctx, plan, agent, 'SSE', streamedChatCall())).checks);
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

type Variant = 'JSON' | 'SSE';

/**
 * Tapedeck, the bare node:http baseline and aimock (when it can run) serve one recorded call,
 * each pinned to the same core, and take turns under the same load.
 */
async function sideBySide(
  ctx: FigureContext,
  plan: Plan,
  agent: Agent,
  variant: Variant,
  recorded: Call,
) {
  // The single-threaded Node servers get one core each time, the load generator the other.
  const load = loader(ctx, canPin ? LOAD_CPU : undefined);
  const serverCpu = canPin ? SERVER_CPU : undefined;
  if (canPin)
    say(
      `  tapedeck, bare node:http and aimock pinned to core ${SERVER_CPU}, autocannon to core ${LOAD_CPU}`,
    );
  const call = Call.parse(recorded);
  const stream = call.response.stream !== undefined;
  const name = variant.toLowerCase();
  const snapshotDir = join(ctx.workDir, `snapshot-${name}`);
  await writeSnapshot(snapshotDir, [call]);

  const tapedeck = await startTapedeck(
    'mock',
    snapshotDir,
    ['--timing', 'instant'],
    join(ctx.workDir, `tapedeck-${name}.log`),
    serverCpu,
  );
  let bare: Child | undefined;
  let aimock: RunningAimock | undefined;
  try {
    const req = replayRequest(call, tapedeck.url);
    const first = await send(agent, req);
    if (first.status !== 200) {
      throw new Error(
        `tapedeck mock answered ${first.status}: ${first.body.toString('utf8').slice(0, 500)}`,
      );
    }
    // The bare server and the peers replay exactly what Tapedeck sent: same status, headers, bytes.
    const response = staticResponseOf(first);
    const events = stream ? ` (${call.response.stream?.length ?? 0} SSE events)` : '';
    say(
      `  POST ${req.body?.length ?? 0} B of JSON, reply ${response.body.length} B${events}; ${plan.rounds}×${plan.roundS} s each`,
    );

    const configFile = await writeStaticResponse(
      join(ctx.workDir, `bare-response-${name}.json`),
      response,
    );
    bare = spawnChild(
      'bare node:http',
      process.execPath,
      [serverScript('static-server'), configFile],
      {
        logFile: join(ctx.workDir, `bare-${name}.log`),
        ...(serverCpu === undefined ? {} : { cpu: serverCpu }),
      },
    );
    const bareChild = bare;
    const bareReq = atOrigin(req, (await bare.listening(10_000)).url);
    await expectSame(agent, bareReq, response, 'bare node:http');

    const started = await startCheckedAimock(ctx, name, call, req, response, agent, serverCpu);
    aimock = started.aimock;
    let aimockSkipped = started.skipped;

    const bareRuns: Measured[] = [];
    const tapedeckRuns: Measured[] = [];
    const aimockRuns: Measured[] = [];
    // A peer failing under load is reported and dropped; it does not void Tapedeck's figure.
    const aimockLoad = async (durationS: number, runs?: Measured[]): Promise<void> => {
      if (!aimock || aimockSkipped !== undefined) return;
      const { child, url } = aimock;
      try {
        const r = await withCpu(child, () => load(atOrigin(req, url), durationS));
        runs?.push(assertClean('aimock', r));
      } catch (err) {
        aimockSkipped = reasonOf(err);
      }
    };
    assertClean('bare warm-up', await load(bareReq, plan.warmupS));
    assertClean('tapedeck warm-up', await load(req, plan.warmupS));
    await aimockLoad(plan.warmupS);
    const turns = [
      async () => {
        const r = await withCpu(bareChild, () => load(bareReq, plan.roundS));
        bareRuns.push(assertClean('bare node:http', r));
      },
      async () => {
        const r = await withCpu(tapedeck.child, () => load(req, plan.roundS));
        tapedeckRuns.push(assertClean('tapedeck mock', r));
      },
      () => aimockLoad(plan.roundS, aimockRuns),
    ];
    // Each round starts with the next server, so none is always measured right after another.
    for (let i = 0; i < plan.rounds; i++) {
      const k = i % turns.length;
      for (const turn of [...turns.slice(k), ...turns.slice(0, k)]) await turn();
    }
    detail('bare node:http', bareRuns);
    detail('tapedeck mock', tapedeckRuns);
    if (aimockSkipped === undefined) detail('aimock', aimockRuns);
    else say(`  skipped: aimock: ${aimockSkipped.split('\n').join('\n    ')}`);

    const tapedeckRps = mean(tapedeckRuns.map((r) => r.rps));
    const checks = ratioChecks(
      variant,
      mean(bareRuns.map((r) => r.rps)),
      tapedeckRps,
      aimockSkipped === undefined ? mean(aimockRuns.map((r) => r.rps)) : undefined,
    );
    return { tapedeckRps, req, response, checks };
  } finally {
    await aimock?.child.stop();
    await bare?.stop();
    await tapedeck.child.stop();
  }
}

/** aimock with the recorded call's fixture, or why it cannot be measured. */
async function startCheckedAimock(
  ctx: FigureContext,
  name: string,
  call: Call,
  req: HttpRequest,
  response: StaticResponse,
  agent: Agent,
  cpu: number | undefined,
): Promise<{ aimock?: RunningAimock; skipped?: string }> {
  let aimock: RunningAimock | undefined;
  try {
    await ensureAimockInstalled(say);
    const probe = (url: string) => atOrigin(req, url);
    aimock = await startAimock(ctx.workDir, name, call, STREAM_CHUNK_CHARS, probe, agent, cpu);
    const stream = call.response.stream !== undefined;
    const served = await expectSameReply(agent, probe(aimock.url), response, stream);
    say(
      `  aimock ${aimock.version} serves the same reply by value (its own ${stream ? 'SSE' : 'JSON'}, ${served} B)`,
    );
    return { aimock };
  } catch (err) {
    await aimock?.child.stop();
    return { skipped: reasonOf(err) };
  }
}

function ratioChecks(
  variant: Variant,
  bareRps: number,
  tapedeckRps: number,
  aimockRps: number | undefined,
): Check[] {
  const check = (what: string, ratio: number | undefined, min?: number): Check => ({
    figure: FIGURE,
    what: `${what} (${variant})`,
    measured: ratio === undefined ? 'skipped' : fmt.ratio(ratio),
    target: min === undefined ? '—' : `≥ ${fmt.ratio(min).replace('.00×', '×')}`,
    verdict: ratio === undefined ? 'SKIP' : min === undefined ? 'INFO' : atLeast(ratio, min),
  });
  const ofAimock = (f: (aimock: number) => number) =>
    aimockRps === undefined ? undefined : f(aimockRps);
  return [
    // The design's target is for the JSON reply; the stream's ratio is for reading beside it.
    check('tapedeck / bare node:http', tapedeckRps / bareRps, variant === 'JSON' ? 0.7 : undefined),
    check(
      'tapedeck / aimock',
      ofAimock((a) => tapedeckRps / a),
      4,
    ),
    check(
      'aimock / bare node:http',
      ofAimock((a) => a / bareRps),
    ),
  ];
}

function reasonOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n').slice(0, 8).join('\n');
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
    say(`  skipped: ${peer.name}: ${reasonOf(err).split('\n').join('\n    ')}`);
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

/** aimock writes its own JSON: the reply must be the same by value (see aimock-fixture.ts). */
async function expectSameReply(
  agent: Agent,
  req: HttpRequest,
  expected: StaticResponse,
  stream: boolean,
): Promise<number> {
  const res = await send(agent, req);
  const body = res.body.toString('utf8');
  const same =
    res.status === expected.status &&
    (() => {
      try {
        return chatReplyView(body, stream) === chatReplyView(expected.body, stream);
      } catch {
        return false;
      }
    })();
  if (!same)
    throw new Error(
      `aimock does not serve the recorded reply: ${res.status} ${body.slice(0, 300)}`,
    );
  return res.body.length;
}

function detail(name: string, runs: Array<LoadResult & Partial<Measured>>): void {
  const cpuS = runs.reduce((sum, r) => sum + (r.cpuS ?? NaN), 0);
  const ok = runs.reduce((sum, r) => sum + r.ok, 0);
  row(
    name,
    fmt.rps(mean(runs.map((r) => r.rps))).padStart(14),
    `p50 ${fmt.ms(mean(runs.map((r) => r.latencyP50Ms)))}`,
    `p99 ${fmt.ms(mean(runs.map((r) => r.latencyP99Ms)))}`,
    ...(Number.isFinite(cpuS) ? [`cpu ${Math.round((cpuS / ok) * 1e6)} µs/req`] : []),
  );
}

interface Measured extends LoadResult {
  /** CPU time the server used during the run; NaN where /proc cannot tell. */
  cpuS: number;
}

async function withCpu(server: Child, run: () => Promise<LoadResult>): Promise<Measured> {
  const cpu = () => cpuSeconds(server.pid).catch(() => NaN);
  const before = await cpu();
  const result = await run();
  return { ...result, cpuS: (await cpu()) - before };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
