/** The built CLI, run exactly as a user runs it: `node bin/tapedeck.js …`. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(repoRoot, 'bin', 'tapedeck.js');

/** Both builds the browser tests drive; a clear message instead of a timeout when one is missing. */
export function assertBuilt(): void {
  const missing = [
    ['dist/proxy/cli.js', 'npm run build:node'],
    ['dist/renderer/index.html', 'npm run build:renderer'],
  ].filter(([file]) => !existsSync(path.join(repoRoot, file as string)));
  if (missing.length > 0) {
    throw new Error(
      `the browser tests need the built CLI and UI; missing ${missing.map(([f]) => f).join(', ')}: ` +
        `run \`npm run build\` (or ${missing.map(([, cmd]) => `\`${cmd}\``).join(' and ')}) first`,
    );
  }
}

export interface Running {
  /** The URL of the first stdout line, `listening on URL`. */
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

export async function startTapedeck(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30_000,
): Promise<Running> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  let output = '';
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tapedeck ${args.join(' ')}: no first line in ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tapedeck ${args.join(' ')} exited (${code}) before listening\n${output}`));
    });
  });
  lines.on('line', (line) => (output += line + '\n'));
  const m = /^listening on (http:\/\/\S+)$/.exec(first);
  if (!m?.[1]) {
    child.kill('SIGKILL');
    throw new Error(`tapedeck ${args.join(' ')}: first line ${JSON.stringify(first)}`);
  }
  return {
    url: m[1],
    pid: child.pid ?? -1,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export function runTapedeck(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
