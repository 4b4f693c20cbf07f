/**
 * load-generator: `tapedeck load` against a bare node:http target, beside autocannon alone on the
 * same target with as many connections. The ratio of their requests/s says whether the tool can
 * drive a service harder than the service can answer: below 0.8×, it would be measuring itself.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunReport } from '../shared/schema.js';
import { spawnChild } from './child.js';
import type { Figure } from './figure.js';
import { assertClean, runLoad } from './load.js';
import { cliPath, serverScript } from './paths.js';
import { LOAD_CPU, SERVER_CPU, canPin, pinned } from './pin.js';
import { atLeast, fmt, row, say, type Check } from './report.js';
import { writeStaticResponse } from './static-response.js';

const FIGURE = 'load-generator';
const CONNECTIONS = 50;
const TARGET_RATIO = 0.8;

interface Plan {
  warmupS: number;
  rounds: number;
  roundS: number;
}
const FULL: Plan = { warmupS: 2, rounds: 3, roundS: 5 };
const QUICK: Plan = { warmupS: 1, rounds: 1, roundS: 2 };

const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const [cmd, cmdArgs] = pinned(canPin ? LOAD_CPU : undefined, command, args);
    const proc = spawn(cmd, cmdArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.on('error', reject);
    proc.on('exit', (code) =>
      code === 0
        ? resolve(stderr)
        : reject(new Error(`tapedeck load exited ${code}: ${stderr.trim()}`)),
    );
  });
}

/** One `tapedeck load` step of CONNECTIONS for `durationS`; its req/s from the saved report. */
async function tapedeckLoad(
  workDir: string,
  url: string,
  requests: string,
  durationS: number,
  n: number,
): Promise<number> {
  const report = join(workDir, `run-${n}.json`);
  await run(process.execPath, [
    cliPath,
    'load',
    url,
    '--requests',
    requests,
    '--steps',
    String(CONNECTIONS),
    '--duration',
    `${durationS}s`,
    '--report',
    report,
  ]);
  const r = RunReport.parse(JSON.parse(await readFile(report, 'utf8')));
  const step = r.steps[0];
  if (!step || step.requests === 0 || step.errors > 0 || step.timeouts > 0)
    throw new Error(
      `tapedeck load: ${step?.requests ?? 0} requests, ${step?.errors ?? 0} errors, ${step?.timeouts ?? 0} timeouts`,
    );
  return step.rps;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export const loadGenerator: Figure = {
  name: FIGURE,
  title: `load generator: tapedeck load vs autocannon alone, ${CONNECTIONS} connections on a bare node:http target`,
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const config = await writeStaticResponse(join(ctx.workDir, 'response.json'), {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'chatcmpl-1',
        choices: [{ message: { role: 'assistant', content: 'hello' } }],
      }),
    });
    const target = spawnChild(
      'bare node:http',
      process.execPath,
      [serverScript('static-server'), config],
      {
        logFile: join(ctx.workDir, 'target.log'),
        ...(canPin ? { cpu: SERVER_CPU } : {}),
      },
    );
    try {
      const { url } = await target.listening(10_000);
      const requests = join(ctx.workDir, 'requests.jsonl');
      await writeFile(
        requests,
        JSON.stringify({
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json' },
          body: BODY,
        }) + '\n',
      );
      const req = {
        method: 'POST',
        url: `${url}/v1/chat/completions`,
        headers: { 'content-type': 'application/json' },
        body: BODY,
      };
      const autocannon = (durationS: number) =>
        runLoad(req, {
          connections: CONNECTIONS,
          durationS,
          bodyFile: join(ctx.workDir, 'body.json'),
          ...(canPin ? { cpu: LOAD_CPU } : {}),
        });
      say(
        `  POST ${BODY.length} B of JSON; ${plan.rounds}×${plan.roundS} s each, alternating${canPin ? ', client and target on their own cores' : ''}`,
      );
      assertClean('autocannon warm-up', await autocannon(plan.warmupS));
      await tapedeckLoad(ctx.workDir, url, requests, plan.warmupS, 0);
      const ac: number[] = [];
      const td: number[] = [];
      for (let i = 0; i < plan.rounds; i++) {
        // Each round starts with the other tool, so neither is always measured second.
        const turns = [
          async () => void ac.push(assertClean('autocannon', await autocannon(plan.roundS)).rps),
          async () =>
            void td.push(await tapedeckLoad(ctx.workDir, url, requests, plan.roundS, i + 1)),
        ];
        if (i % 2 === 1) turns.reverse();
        for (const t of turns) await t();
      }
      const acRps = mean(ac);
      const tdRps = mean(td);
      row('autocannon alone', `${fmt.rps(acRps)}`);
      row('tapedeck load', `${fmt.rps(tdRps)}`);
      const ratio = tdRps / acRps;
      const checks: Check[] = [
        {
          figure: FIGURE,
          what: 'tapedeck load / autocannon',
          measured: fmt.ratio(ratio),
          target: `≥ ${TARGET_RATIO}×`,
          verdict: atLeast(ratio, TARGET_RATIO),
        },
      ];
      return checks;
    } finally {
      await target.stop();
    }
  },
};
