/**
 * Ctrl-C during `tapedeck load`: the requests in flight finish, the steps so far are saved with
 * `interrupted: true`, and the exit code is 130. `tapedeck report` says which step was cut short
 * and which never ran, and a comparison marks the cut-short step rather than let it pass for a
 * whole one.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RunReport } from '../shared/schema.js';
import { assertBuilt, repoRoot, runCli } from './support/cli.js';
import { startLoadTarget, type LoadTarget } from './support/load-target.js';
import { run, step } from './support/run-report.js';

let dir = '';
let target: LoadTarget;
beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-interrupted-'));
  await mkdir(path.join(dir, 'runs'));
  await writeFile(path.join(dir, 'requests.jsonl'), '{"method":"GET","path":"/"}\n');
  target = await startLoadTarget();
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

/** `tapedeck load` at steps 1, 2, 3 of 5 s, sent SIGINT a moment into step 2. */
async function interruptedRun(): Promise<{ code: number | null; report: RunReport }> {
  const file = path.join(dir, 'runs', 'stopped.json');
  const args = ['load', target.url, '--requests', path.join(dir, 'requests.jsonl')];
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'bin', 'tapedeck.js'),
      ...args,
      ...['--steps', '1,2,3', '--duration', '5s', '--rate', '50', '--report', file],
    ],
    { cwd: repoRoot, stdio: 'pipe' },
  );
  child.stderr.resume();
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  for await (const line of createInterface({ input: child.stdout }))
    if (line.startsWith('step 1/3')) break;
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  const code = await exit;
  return { code, report: RunReport.parse(JSON.parse(await readFile(file, 'utf8'))) };
}

it('saves the steps so far, marked interrupted, and says so in the report', async () => {
  const { code, report } = await interruptedRun();
  expect(code).toBe(130);
  expect(report.interrupted).toBe(true);
  expect(report.steps.map((s) => s.concurrency)).toEqual([1, 2]);
  const whole = report.steps[0]?.durationMs ?? 0;
  const cut = report.steps[1]?.durationMs ?? Infinity;
  // Stopped 300 ms into step 2, which had 5 s; step 1 ran its 5 s (its last request due before).
  expect(whole).toBeGreaterThan(4500);
  expect(cut).toBeLessThan(whole / 2);

  const printed = await runCli(['report', 'stopped', '--in', dir]);
  expect(printed.code).toBe(0);
  expect(printed.stdout).toContain(
    `interrupted: step 2 cut short after ${(cut / 1000).toFixed(1)} s of 5 s; 3 never ran`,
  );

  // Against a run that went to its end, the cut-short step is marked, the whole ones are not.
  const full = run('whole', [step(1), step(2), step(3)]);
  await writeFile(path.join(dir, 'runs', 'whole.json'), JSON.stringify(full));
  const compared = await runCli(['report', 'whole', 'stopped', '--in', dir]);
  expect(compared.code).toBe(0);
  const line = (c: number) => compared.stdout.split('\n').find((l) => l.startsWith(`${c} `)) ?? '';
  expect(line(2)).toContain('cut short in stopped');
  expect(line(1)).not.toContain('cut short');
  expect(line(3)).toContain('only in whole');

  const json = await runCli(['report', 'whole', 'stopped', '--in', dir, '--json']);
  const steps = (
    JSON.parse(json.stdout) as { steps: { concurrency: number; cutShort: string[] }[] }
  ).steps;
  expect(steps.map((s) => [s.concurrency, s.cutShort])).toEqual([
    [1, []],
    [2, ['after']],
    [3, []],
  ]);
}, 40_000);

it('leaves a run that went to its end unmarked', async () => {
  const file = path.join(dir, 'runs', 'done.json');
  const r = await runCli([
    'load',
    target.url,
    '--requests',
    path.join(dir, 'requests.jsonl'),
    '--steps',
    '1',
    '--count',
    '3',
    '--report',
    file,
  ]);
  expect(r.code).toBe(0);
  const report = RunReport.parse(JSON.parse(await readFile(file, 'utf8')));
  expect(report).not.toHaveProperty('interrupted');
  expect((await runCli(['report', 'done', '--in', dir])).stdout).not.toMatch(/^\s+interrupted:/m);
});
