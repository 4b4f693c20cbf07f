import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { HttpRequest } from './http.js';
import { pinned } from './pin.js';

export interface LoadOptions {
  connections: number;
  durationS: number;
  /** Where to put the request body file autocannon reads. */
  bodyFile: string;
  /** Run autocannon on this core only (see pin.ts). */
  cpu?: number;
  /** Requests per second over all connections (autocannon's --overallRate); unlimited if absent. */
  rate?: number;
}

export interface LoadResult {
  /** Successful (2xx) responses per second over the run. */
  rps: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface AutocannonJson {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  latency: { p50: number; p99: number };
}

const autocannonCli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/**
 * Runs autocannon in its own process against `req` and returns its figures. Keep-alive is
 * autocannon's default; each connection sends one request at a time (no pipelining), as SDK
 * clients do.
 */
export async function runLoad(req: HttpRequest, options: LoadOptions): Promise<LoadResult> {
  const args = [
    autocannonCli,
    '--json',
    '--connections',
    String(options.connections),
    '--duration',
    String(options.durationS),
    '--method',
    req.method,
  ];
  if (options.rate !== undefined) args.push('--overallRate', String(options.rate));
  for (const [k, v] of Object.entries(req.headers ?? {})) args.push('--headers', `${k}=${v}`);
  if (req.body !== undefined) {
    await writeFile(options.bodyFile, req.body);
    args.push('--input', options.bodyFile);
  }
  args.push(req.url);

  const out = await collect(...pinned(options.cpu, process.execPath, args));
  const json = JSON.parse(out) as AutocannonJson;
  return {
    rps: json['2xx'] / json.duration,
    latencyP50Ms: json.latency.p50,
    latencyP99Ms: json.latency.p99,
    ok: json['2xx'],
    non2xx: json.non2xx,
    errors: json.errors,
    timeouts: json.timeouts,
  };
}

/** A load run that got errors or wrong statuses measured something other than the figure. */
export function assertClean<T extends LoadResult>(what: string, r: T): T {
  if (r.ok === 0 || r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(
      `${what}: ${r.ok} ok, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`,
    );
  }
  return r;
}

function collect(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`autocannon exited ${code}: ${stderr.trim()}`));
    });
  });
}
