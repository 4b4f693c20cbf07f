/**
 * `tapedeck mock --record-misses` from the command line: the flag reaches the mock (a `-- CMD`
 * run records its miss once and passes --strict), and it is refused beside --passthrough.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './support/cli.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

const KEY = 'sk-proj-CLIRECORDMISS0123456789abcd';
let dir: string | null = null;
let upstream: FakeUpstream | null = null;

beforeAll(() => assertBuilt());

afterEach(async () => {
  await upstream?.close();
  upstream = null;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

async function emptySnapshot(): Promise<string> {
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-cli-recmiss-'));
  await mkdir(path.join(dir, 'calls'));
  await writeFile(
    path.join(dir, 'tapedeck.json'),
    JSON.stringify({ format: 'tapedeck/2', createdAt: new Date().toISOString(), recorder: 'test' }),
  );
  return dir;
}

/** The real openai SDK, configured from the environment `mock -- CMD` gives it, asking twice. */
const child = `
  import OpenAI from 'openai';
  const client = new OpenAI({ maxRetries: 0 });
  for (let i = 0; i < 2; i++) {
    const r = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    });
    console.log('REPLY ' + r.choices[0].message.tool_calls?.[0]?.function.name);
  }`;

describe('tapedeck mock --record-misses', () => {
  it('records the miss of a -- CMD run once, and --strict passes', async () => {
    const snap = await emptySnapshot();
    upstream = await startFakeUpstream({ eventDelayMs: 0 });
    const r = await runCli(
      [
        'mock',
        snap,
        '--port',
        '0',
        '--record-misses',
        '--strict',
        '--no-watch',
        '--upstream',
        `openai=${upstream.url}`,
        '--',
        process.execPath,
        '--input-type=module',
        '-e',
        child,
      ],
      { env: { ...process.env, OPENAI_API_KEY: KEY }, timeoutMs: 60_000 },
    );
    expect(r.timedOut).toBe(false);
    expect(r.stdout.match(/^REPLY get_weather$/gm)).toHaveLength(2);
    expect(r.stderr).toMatch(/ → 200 RECORDED c_/);
    expect(r.code).toBe(0);
    expect(upstream.requests).toHaveLength(1);
    const files = await readdir(path.join(snap, 'calls'));
    expect(files).toHaveLength(1);
    expect(await readFile(path.join(snap, 'calls', files[0]!), 'utf8')).not.toContain(KEY);
  });

  it('refuses --record-misses with --passthrough in one line', async () => {
    const snap = await emptySnapshot();
    const r = await runCli(['mock', snap, '--port', '0', '--record-misses', '--passthrough'], {
      timeoutMs: 30_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--record-misses and --passthrough cannot be used together/);
  });
});
