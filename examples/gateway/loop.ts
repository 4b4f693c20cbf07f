/**
 * The whole loop of the gateway-testing guide in one command: the three fake vendors
 * (examples/three-vendors, scenario `three-vendors`), this gateway in front of them, and
 * `tapedeck load` raising concurrency in steps; then the guide's success criteria, checked from the
 * gateway's log and the run report.
 *   npm run build:node && node dist/examples/gateway/loop.js [--steps 5,20,50,100]
 *        [--duration 15s | --count N] [--out DIR] [--seed S]
 * Exit 0 when every criterion holds, 1 when one fails, 2 on a usage error.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readRunReport } from '../../proxy/load/report-file.js';
import type { RunReport } from '../../shared/schema.js';
import { checkAll, linesOf, type CriteriaOptions, type LogLine, type Verdict } from './criteria.js';
import { gatewayLogger, LineSink } from './log.js';
import { threeVendors } from './registry.js';
import { DEFAULT_OPTIONS } from './router.js';
import { startGateway } from './server.js';

export interface LoopOptions {
  steps: string;
  /** Per step: one of the two, as `tapedeck load` takes them. */
  duration?: string;
  count?: number;
  /** Where the snapshot copy, its runs/ and the gateway logs go. */
  out: string;
  seed: string;
  /** Where `tapedeck load` prints its step tables; 'inherit' in the terminal. */
  stdio: 'inherit' | 'ignore';
}

export interface LoopResult {
  report: RunReport;
  reportFile: string;
  logFile: string;
  lines: LogLine[];
  verdicts: Verdict[];
  snapshot: string;
}

export const CRITERIA: CriteriaOptions = {
  degraded: 'b',
  takeover: 'a',
  maxSwitchMs: 3000,
  maxRetries: DEFAULT_OPTIONS.maxRetries,
  retryBudget: DEFAULT_OPTIONS.retryBudget,
  minSuccess: 0.95,
  explain: 67,
};

/** The repository root, from this file in examples/gateway/ or in dist/examples/gateway/. */
function repoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = path.resolve(here, '..', '..');
  return path.basename(up) === 'dist' ? path.dirname(up) : up;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A copy of the three vendors' snapshot, so the runs and the mock's link file land outside the repo's example. */
async function snapshotCopy(root: string, out: string): Promise<string> {
  const dir = path.join(out, 'snapshot');
  const exists = await stat(path.join(dir, 'tapedeck.json')).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const from = path.join(root, 'examples', 'three-vendors', 'snapshot');
    await mkdir(dir, { recursive: true });
    for (const part of ['tapedeck.json', 'calls', 'scenarios'])
      await cp(path.join(from, part), path.join(dir, part), { recursive: true });
  }
  return dir;
}

export async function runGatewayLoop(o: LoopOptions): Promise<LoopResult> {
  const root = repoRoot();
  const out = path.resolve(o.out);
  const snapshot = await snapshotCopy(root, out);
  const mockPort = await freePort();
  const sink = new LineSink();
  const gw = await startGateway({
    registry: threeVendors(`http://127.0.0.1:${mockPort}`),
    log: gatewayLogger(sink),
  });
  const id = new Date().toISOString().replace(/[:.]/g, '-');
  const reportFile = path.join(snapshot, 'runs', `gateway-${id}.json`);
  const logFile = path.join(out, `gateway-${id}.log.jsonl`);
  const args = [
    path.join(root, 'bin', 'tapedeck.js'),
    'load',
    gw.url,
    '--requests',
    path.join(root, 'examples', 'gateway', 'requests.jsonl'),
    '--steps',
    o.steps,
    ...(o.count !== undefined ? ['--count', String(o.count)] : ['--duration', o.duration ?? '15s']),
    '--timeout',
    '10s',
    '--mock',
    snapshot,
    '--mock-port',
    String(mockPort),
    '--scenario',
    'three-vendors',
    '--seed',
    o.seed,
    '--report',
    reportFile,
  ];
  let code: number | null;
  try {
    const child = spawn(process.execPath, args, { stdio: ['ignore', o.stdio, o.stdio] });
    code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    });
  } finally {
    await gw.close();
  }
  await writeFile(logFile, sink.lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  if (code !== 0) throw new Error(`tapedeck load exited with ${code}`);
  const report = await readRunReport(reportFile);
  const lines = sink.lines as unknown as LogLine[];
  return {
    report,
    reportFile,
    logFile,
    lines,
    verdicts: checkAll(lines, report, CRITERIA),
    snapshot,
  };
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        steps: { type: 'string', default: '5,20,50,100' },
        duration: { type: 'string' },
        count: { type: 'string' },
        out: { type: 'string', default: path.join(repoRoot(), 'examples', 'gateway', '.work') },
        seed: { type: 'string', default: '1' },
      },
    }));
  } catch (e) {
    process.stderr.write(`loop: ${(e as Error).message}\n`);
    return 2;
  }
  const count = values.count === undefined ? undefined : Number(values.count);
  if (count !== undefined && (!Number.isInteger(count) || count <= 0)) {
    process.stderr.write('loop: --count must be a positive integer\n');
    return 2;
  }
  const r = await runGatewayLoop({
    steps: values.steps,
    ...(values.duration !== undefined ? { duration: values.duration } : {}),
    ...(count !== undefined ? { count } : {}),
    out: values.out,
    seed: values.seed,
    stdio: 'inherit',
  });
  process.stdout.write(`\ngateway log: ${r.logFile}\n\ncriteria:\n`);
  for (const v of r.verdicts)
    process.stdout.write(
      `  ${v.ok ? 'PASS' : 'FAIL'}  ${v.name}\n        ${v.detail.replace(/\n/g, '\n        ')}\n`,
    );
  const why = linesOf(r.lines, CRITERIA.explain);
  process.stdout.write(`\nrequest ${CRITERIA.explain}, as the log tells it:\n`);
  for (const l of why) process.stdout.write(`  [${l.rule}] ${l.msg}\n`);
  process.stdout.write(
    `\nreport: npx tapedeck report ${path.basename(r.reportFile, '.json')} --in ${r.snapshot}\n` +
      `Runs view: npx tapedeck ui ${r.snapshot}\n`,
  );
  return r.verdicts.every((v) => v.ok) ? 0 : 1;
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
)
  process.exitCode = await main();
