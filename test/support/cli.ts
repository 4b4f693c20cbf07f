/** Running the built `tapedeck` CLI as a user does, from `bin/tapedeck.js`. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(repoRoot, 'bin', 'tapedeck.js');

export function assertBuilt(): void {
  const entry = path.join(repoRoot, 'dist', 'proxy', 'cli.js');
  if (!existsSync(entry)) {
    throw new Error(
      `dist/proxy/cli.js is missing: run \`npm run build\` first (\`npm test\` builds before vitest runs).`,
    );
  }
}

export interface RunningCli {
  url: string;
  child: ChildProcessWithoutNullStreams;
  stderr(): string;
  /** Sends SIGINT and resolves with how the process ended. */
  stop(): Promise<Exit>;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function exited(child: ChildProcessWithoutNullStreams): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Starts a long-running command (`record`, `mock`) and waits for its `listening on` line. */
export async function startCli(args: string[], timeoutMs = 15_000): Promise<RunningCli> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening on" line within ${timeoutMs} ms; stderr:\n${stderr}`)),
      timeoutMs,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `tapedeck ${args.join(' ')} exited with ${code} before listening; stderr:\n${stderr}`,
        ),
      );
    });
  });
  const match = /^listening on (http:\/\/\S+)$/.exec(first);
  if (!match?.[1]) {
    child.kill('SIGKILL');
    throw new Error(
      `first stdout line was ${JSON.stringify(first)}, expected "listening on http://HOST:PORT"`,
    );
  }
  return {
    url: match[1],
    child,
    stderr: () => stderr,
    stop: async () => {
      const done = exited(child);
      child.kill('SIGINT');
      return done;
    },
  };
}

export interface RunOptions {
  /** The whole environment of the process (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Kill the process if it has not ended by then, and say so in `timedOut` (a hang, not a wait). */
  timeoutMs?: number;
}

/** Runs a command to completion (`inspect`) and returns its output. */
export function runCli(
  args: string[],
  opts: RunOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    stdio: 'pipe',
    ...(opts.env ? { env: opts.env } : {}),
  });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs);
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    }),
  );
}
