import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pinned } from './pin.js';

/** A server or helper in its own process: it never shares an event loop with the client measuring it. */
export interface Child {
  readonly name: string;
  readonly pid: number;
  /** performance.now() just before spawn, for start-up timings. */
  readonly spawnedAt: number;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<string>;
  /** Resolves with the URL and the time of the first `listening on URL` line on stdout. */
  listening(timeoutMs: number): Promise<{ url: string; at: number }>;
  /** The last lines the process wrote (stdout and its log file), for error messages. */
  outputTail(): string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
const TAIL_LINES = 40;

// A bench interrupted by Ctrl-C or a crash must not leave servers holding ports and CPU.
process.on('exit', () => {
  for (const proc of live) proc.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const proc of live) proc.kill('SIGKILL');
    process.exit(130);
  });
}

export interface SpawnOptions {
  /** Where the child's stderr (and stdout, unless read) goes; appended to. */
  logFile: string;
  /** Read stdout for the `listening on` line; otherwise it goes to the log file too. */
  readStdout?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run on this core only (see pin.ts). */
  cpu?: number;
}

export function spawnChild(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): Child {
  // Logs go straight to a file: draining them through this process would put a per-request
  // cost on the core the load generator and the server need.
  const logFd = openSync(options.logFile, 'a');
  const readStdout = options.readStdout ?? true;
  const spawnedAt = performance.now();
  const [cmd, cmdArgs] = pinned(options.cpu, command, args);
  const proc = spawn(cmd, cmdArgs, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', readStdout ? 'pipe' : logFd, logFd],
  });
  closeSync(logFd);
  live.add(proc);

  const stdoutLines: string[] = [];
  let listeningLine: { url: string; at: number } | undefined;
  const waiters: Array<(v: { url: string; at: number }) => void> = [];
  if (proc.stdout) {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      stdoutLines.push(line);
      if (stdoutLines.length > TAIL_LINES) stdoutLines.shift();
      const m = /^listening on (https?:\/\/\S+)/.exec(line);
      if (m && !listeningLine) {
        listeningLine = { url: m[1] as string, at: performance.now() };
        for (const w of waiters.splice(0)) w(listeningLine);
      }
    });
  }

  let spawnError: string | undefined;
  const exited = new Promise<string>((resolve) => {
    proc.on('exit', (code, signal) => {
      live.delete(proc);
      resolve(signal ?? String(code));
    });
    proc.on('error', (err) => {
      live.delete(proc);
      spawnError = `spawn failed: ${err.message}`;
      resolve('spawn-error');
    });
  });

  const outputTail = (): string => {
    const logged = readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-TAIL_LINES);
    return [...stdoutLines, ...logged, spawnError ?? ''].filter(Boolean).join('\n');
  };

  return {
    name,
    pid: proc.pid ?? -1,
    spawnedAt,
    exited,
    outputTail,
    listening(timeoutMs) {
      if (listeningLine) return Promise.resolve(listeningLine);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`${name}: no "listening on" line within ${timeoutMs} ms\n${outputTail()}`),
            ),
          timeoutMs,
        );
        waiters.push((v) => {
          clearTimeout(timer);
          resolve(v);
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) before listening\n${outputTail()}`));
        });
      });
    },
    async stop() {
      if (!live.has(proc)) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `probe` until it returns true; fails early if the child dies. */
export async function waitUntil(
  child: Child,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  let dead: string | undefined;
  void child.exited.then((code) => (dead = code));
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (dead !== undefined)
      throw new Error(`${child.name} exited (${dead})\n${child.outputTail()}`);
    if (await probe().catch(() => false)) return;
    if (performance.now() > deadline) {
      throw new Error(`${child.name}: not ready within ${timeoutMs} ms\n${child.outputTail()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resident set size in bytes, from /proc (Linux only, where the bench runs). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

// USER_HZ: the unit of /proc/PID/stat times, 100 on every Linux the bench runs on.
const CLOCK_TICKS_PER_S = 100;

/**
 * CPU time the process has used so far (user + system, all threads), from /proc (Linux only).
 * Per request it is the server's work, which a busy shared machine disturbs far less than its
 * requests per second.
 */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing paren are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`bad /proc/${pid}/stat`);
  return (utime + stime) / CLOCK_TICKS_PER_S;
}
