/** Running a test runner (or npm) as a child process, the way a user runs the examples. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './cli.js';

export function assertTestingBuilt(): void {
  const entry = path.join(repoRoot, 'dist', 'testing', 'index.js');
  if (!existsSync(entry)) {
    throw new Error(
      'dist/testing/index.js is missing: run `npm run build:node` first (`npm test` builds before vitest runs).',
    );
  }
}

/**
 * This process's environment without what the outer vitest set for its own workers, which would
 * make a child vitest (or jest) believe it runs inside another runner.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(VITEST|JEST|TINYPOOL)/i.test(k) && k !== 'NODE_ENV' && k !== 'TAPEDECK_SNAPSHOT')
      env[k] = v;
  return { ...env, ...extra };
}

export interface Ran {
  code: number | null;
  stdout: string;
  /** stdout and stderr as they came. */
  output: string;
}

export function run(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Ran> {
  const child = spawn(command, args, {
    cwd: opts.cwd ?? repoRoot,
    env: opts.env ?? childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let output = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    output += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, output }));
  });
}

/** One test of a runner's JSON report (vitest's and jest's share this shape). */
export interface ReportedTest {
  file: string;
  name: string;
  status: string;
}

interface JsonReport {
  testResults: Array<{
    name: string;
    assertionResults: Array<{ fullName: string; status: string }>;
  }>;
}

export function testsOf(report: unknown): ReportedTest[] {
  return (report as JsonReport).testResults
    .flatMap((file) =>
      file.assertionResults.map((t) => ({
        file: path.basename(file.name),
        name: t.fullName,
        status: t.status,
      })),
    )
    .sort(byFileAndName);
}

export const byFileAndName = (a: ReportedTest, b: ReportedTest): number =>
  `${a.file} ${a.name}`.localeCompare(`${b.file} ${b.name}`);
