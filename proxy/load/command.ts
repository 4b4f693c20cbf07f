/** `tapedeck load` and `tapedeck report`: flags to a plan, the run, the report, the exit code. */
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { compareRuns } from '../../shared/load/compare.js';
import { parseDuration } from '../../shared/load/duration.js';
import {
  FailIfError,
  checkFailIf,
  formatFailIfHit,
  parseFailIf,
  type FailIfCondition,
} from '../../shared/load/fail-if.js';
import { formatComparison, formatRun, formatStep } from '../../shared/load/format.js';
import { RUN_FORMAT, type RunReport } from '../../shared/schema.js';
import { k6Script } from './k6.js';
import { readInboundRequests, readRequestsFile, type LoadedRequests } from './requests.js';
import {
  RUNS_DIR,
  RunFileError,
  readRunReport,
  resolveRun,
  runIdOf,
  writeRunReport,
} from './report-file.js';
import { runSteps } from './runner.js';
import { announcedMock, faultsOn, type FoundMock } from './vendors.js';

/** A flag the command cannot use: one line, exit 2. */
export class LoadUsageError extends Error {}

export interface LoadFlags {
  from?: string;
  steps: string;
  duration?: string;
  count?: string;
  timeout: string;
  rate?: string;
  requests?: string;
  report?: string;
  failIf?: string;
  mock?: string;
  mockPort: string;
  scenario?: string;
  seed: string;
  export?: string;
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const DEFAULT_STEPS = '5,20,50,100';
export const DEFAULT_DURATION = '30s';
export const DEFAULT_TIMEOUT = '10s';

function parseSteps(text: string): number[] {
  const steps = text.split(',').map((s) => s.trim());
  const out = steps.map(Number);
  if (
    steps.length === 0 ||
    out.some((n, i) => steps[i] === '' || !Number.isInteger(n) || n < 1 || n > 10_000)
  )
    throw new LoadUsageError(`--steps wants concurrencies such as 5,20,50,100, got "${text}"`);
  return out;
}

function durationFlag(flag: string, text: string, allowZero: boolean): number {
  const ms = parseDuration(text);
  if (ms === null || (!allowZero && ms === 0))
    throw new LoadUsageError(`${flag} wants a duration such as 30s, 1500ms or 2m, got "${text}"`);
  return ms;
}

function positive(flag: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new LoadUsageError(
      `${flag} wants a positive ${integer ? 'whole ' : ''}number, got "${text}"`,
    );
  return n;
}

function targetOf(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new LoadUsageError(
      `the target must be a URL such as http://127.0.0.1:8000, got "${text}"`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new LoadUsageError(`the target must be http:// or https://, got "${text}"`);
  return text.replace(/\/+$/, '');
}

export interface LoadSetup {
  target: string;
  steps: number[];
  durationMs: number | null;
  count: number | null;
  timeoutMs: number;
  rate: number | null;
  failIf: FailIfCondition[];
  from: string | null;
  exportFile: string | null;
}

/** Every flag checked before anything runs, so a typo costs a line, not a half run. */
export function setupOf(target: string, f: LoadFlags, exportFile: string | undefined): LoadSetup {
  if (f.duration !== undefined && f.count !== undefined)
    throw new LoadUsageError('give --duration or --count, not both (each is per step)');
  if (f.from === undefined && f.requests === undefined)
    throw new LoadUsageError(
      'say what to send: --from ./snap (its inbound/ captures) or --requests FILE.jsonl',
    );
  if (f.scenario !== undefined && f.mock === undefined)
    throw new LoadUsageError(
      '--scenario applies to the mock --mock starts: give --mock ./snap too',
    );
  if (f.export !== undefined && f.export !== 'k6')
    throw new LoadUsageError(`--export knows only k6, got "${f.export}"`);
  if (f.export !== undefined && exportFile === undefined)
    throw new LoadUsageError('--export k6 wants a file: --export k6 load.js');
  if (f.export === undefined && exportFile !== undefined)
    throw new LoadUsageError(`unexpected argument "${exportFile}" (one target URL only)`);
  let failIf: FailIfCondition[] = [];
  if (f.failIf !== undefined) {
    try {
      failIf = parseFailIf(f.failIf);
    } catch (e) {
      if (e instanceof FailIfError) throw new LoadUsageError(e.message);
      throw e;
    }
  }
  return {
    target: targetOf(target),
    steps: parseSteps(f.steps),
    count: f.count !== undefined ? positive('--count', f.count, true) : null,
    durationMs:
      f.count !== undefined
        ? null
        : durationFlag('--duration', f.duration ?? DEFAULT_DURATION, false),
    timeoutMs: durationFlag('--timeout', f.timeout, true),
    rate: f.rate !== undefined ? positive('--rate', f.rate, false) : null,
    failIf,
    from: f.from !== undefined ? path.resolve(f.from) : null,
    exportFile: exportFile !== undefined ? path.resolve(exportFile) : null,
  };
}

async function requestsOf(
  f: LoadFlags,
  from: string | null,
  o: Output,
): Promise<{ loaded: LoadedRequests; source: string }> {
  let loaded: LoadedRequests;
  let source: string;
  if (f.requests !== undefined) {
    source = path.resolve(f.requests);
    loaded = await readRequestsFile(source).catch((e: unknown) => {
      throw new LoadUsageError(`cannot read --requests ${f.requests}: ${(e as Error).message}`);
    });
  } else {
    source = from ?? '';
    loaded = await readInboundRequests(source).catch((e: unknown) => {
      throw new LoadUsageError(
        `no captured requests in ${path.join(source, 'inbound')} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); capture some with tapedeck record --inbound, or give --requests FILE.jsonl`,
      );
    });
  }
  for (const b of loaded.bad) o.err(`tapedeck: skipped ${b.where}: ${b.reason}`);
  if (loaded.requests.length === 0)
    throw new LoadUsageError(`no request to send in ${source} (${loaded.bad.length} skipped)`);
  return { loaded, source };
}

export async function runLoadCommand(
  targetArg: string,
  f: LoadFlags,
  exportFile: string | undefined,
  o: Output,
): Promise<number> {
  const s = setupOf(targetArg, f, exportFile);
  const mockPort = Number(f.mockPort);
  if (!Number.isInteger(mockPort) || mockPort < 0 || mockPort > 65535)
    throw new LoadUsageError(`--mock-port wants a number from 0 to 65535, got "${f.mockPort}"`);
  const { loaded, source } = await requestsOf(f, s.from, o);

  if (s.exportFile !== null) {
    await writeFileAtomic(s.exportFile, k6Script({ ...s, requests: loaded.requests }));
    o.err(
      `tapedeck: wrote ${s.exportFile}: a k6 script of ${s.steps.length} step(s) and ${loaded.requests.length} request(s) (k6 run ${path.basename(s.exportFile)})`,
    );
    return 0;
  }

  let mock: FoundMock | null = null;
  let close: () => Promise<void> = async () => undefined;
  if (f.mock !== undefined) {
    const { startMockServer } = await import('../mock-server.js');
    const dir = path.resolve(f.mock);
    const server = await startMockServer({
      dir,
      port: mockPort,
      watch: false,
      logRequests: false,
      seed: f.seed,
      ...(f.scenario !== undefined ? { scenario: f.scenario } : {}),
      log: (line) => o.err(line),
    });
    close = () => server.close();
    mock = { url: server.url, dir, scenario: f.scenario ?? null };
    o.err(`tapedeck: vendors: mock ${server.url} serving ${server.calls} calls from ${dir}`);
  } else if (s.from !== null) {
    mock = await announcedMock(s.from);
    if (mock !== null) o.err(`tapedeck: vendors: the mock at ${mock.url} serving ${mock.dir}`);
  }
  if (mock === null) o.err('tapedeck: no vendor mock: reporting the target side alone');

  const started = new Date();
  let report: RunReport;
  // Ctrl-C ends the run cleanly: the requests in flight finish, the steps so far are saved, and
  // the mock started here stops (removing its announce file).
  let interrupted = false;
  const onSignal = () => {
    if (!interrupted) o.err('tapedeck: stopping: waiting for the requests in flight, then saving');
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const faults = mock !== null ? await faultsOn(mock.dir, mock.scenario) : [];
    o.out(
      `tapedeck load ${s.target}: ${loaded.requests.length} request(s), steps ${s.steps.join(', ')}, ${s.count !== null ? `${s.count} requests` : `${s.durationMs} ms`} per step`,
    );
    const steps = await runSteps({
      ...s,
      requests: loaded.requests,
      mockUrl: mock?.url ?? null,
      stopped: () => interrupted,
      onStep: (step, i) => o.out('\n' + formatStep(step, i + 1, s.steps.length)),
    });
    let cost = 0;
    for (const st of steps) for (const v of Object.values(st.vendors)) cost += v.costAvoidedUsd;
    const reportFile =
      f.report !== undefined
        ? path.resolve(f.report)
        : path.join(s.from ?? path.resolve('snap'), RUNS_DIR, `${runIdOf(started)}.json`);
    report = {
      format: RUN_FORMAT,
      id: path.basename(reportFile).replace(/\.json$/, ''),
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      target: s.target,
      source,
      mock: mock !== null ? { url: mock.url, dir: mock.dir, scenario: mock.scenario } : null,
      faults,
      options: {
        steps: s.steps,
        durationMs: s.durationMs,
        count: s.count,
        timeoutMs: s.timeoutMs,
        rate: s.rate,
      },
      steps,
      costAvoidedUsd: Math.round(cost * 1e6) / 1e6,
      ...(interrupted ? { interrupted: true as const } : {}),
    };
    await writeRunReport(reportFile, report);
    o.out(`\ntapedeck: run ${report.id} saved to ${reportFile}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await close();
  }
  if (interrupted) return 130;

  const hits = checkFailIf(report.steps, s.failIf);
  for (const h of hits) o.err(`tapedeck: ${formatFailIfHit(h)}`);
  return hits.length > 0 ? 1 : 0;
}

export async function runReportCommand(
  runs: string[],
  f: { in: string; json?: boolean },
  o: Output,
): Promise<number> {
  if (runs.length === 0 || runs.length > 2)
    throw new LoadUsageError('tapedeck report wants one run, or two to compare');
  const dir = path.resolve(f.in);
  let reports: RunReport[];
  try {
    reports = await Promise.all(runs.map(async (r) => readRunReport(await resolveRun(r, dir))));
  } catch (e) {
    if (e instanceof RunFileError) throw new LoadUsageError(e.message);
    throw e;
  }
  const [a, b] = reports;
  if (a === undefined) return 2;
  if (b === undefined) {
    o.out(f.json ? JSON.stringify(a, null, 2) : formatRun(a));
    return 0;
  }
  const cmp = compareRuns(a, b);
  o.out(f.json ? JSON.stringify(cmp, null, 2) : formatComparison(cmp));
  return 0;
}
