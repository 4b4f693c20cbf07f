/**
 * "Copy as curl": the command curlOf writes, run by a real shell with the real curl against a
 * real `tapedeck mock`, must be answered by the very call it was copied from. Without curl on the
 * machine the test says so and checks the command's words parsed back by the shell instead.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSnapshot } from '../bench/snapshot-gen.js';
import { startMockServer } from '../proxy/mock-server.js';
import { callFileName, serializeCall } from '../proxy/store/snapshot-store.js';
import { curlOf, pathAndQuery, shellQuote } from '../shared/curl.js';
import { Call } from '../shared/schema.js';
import { signatureOf } from '../shared/matching/signature.js';

function hasCurl(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const curl = hasCurl();
if (!curl) console.warn('curl.test: no curl on PATH, so the commands are parsed back, not run');

function sh(command: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', command], { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

const KEYS = { OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'ak', GEMINI_API_KEY: 'gk' };

let dir: string;
let calls: Call[];
let mock: Awaited<ReturnType<typeof startMockServer>>;

/** A call whose body has every character a shell treats specially, single quotes included. */
function awkward(base: Call): Call {
  const body = {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'user', content: `it's "quoted" $HOME \`date\` \\ back\nslash ! * ? ~ ;|&` },
    ],
  };
  const request = { ...base.request, body };
  const signature = signatureOf({
    upstream: base.upstream,
    method: base.request.method,
    path: pathAndQuery(base),
    query: {},
    body,
  });
  return { ...base, id: 'c_awkward', seq: 99, request, signature };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-curl-'));
  await generateSnapshot(dir, 8, { seed: 3, streamEvery: 0 });
  const { readdir } = await import('node:fs/promises');
  const names = (await readdir(path.join(dir, 'calls'))).filter((n) => n.endsWith('.json'));
  calls = [];
  for (const n of names)
    calls.push(Call.parse(JSON.parse(await readFile(path.join(dir, 'calls', n), 'utf8'))));
  const openai = calls.find(
    (c) => c.upstream === 'openai' && c.request.url.endsWith('/chat/completions'),
  );
  if (!openai) throw new Error('the generated snapshot has no OpenAI chat call');
  const extra = awkward(openai);
  await writeFile(path.join(dir, 'calls', callFileName(extra)), serializeCall(extra));
  calls.push(extra);
  mock = await startMockServer({ dir, port: 0, timing: { mode: 'instant' }, log: () => undefined });
}, 60_000);

afterAll(async () => {
  await mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('curlOf', () => {
  it.runIf(curl)('runs in sh and the mock answers with the call it was copied from', async () => {
    for (const call of calls) {
      const command = curlOf(call, mock.url);
      const out = await sh(`${command} -sS -i`, KEYS);
      const header = /^x-tapedeck-call:\s*(\S+)/im.exec(out);
      expect(header?.[1], `${call.id}: ${command}\n${out.slice(0, 400)}`).toBe(call.id);
    }
  });

  it.skipIf(curl)('parses back into the method, URL, headers and recorded body', async () => {
    for (const call of calls) {
      const command = curlOf(call, 'http://127.0.0.1:9');
      // The shell's own word splitting, as curl would receive the arguments.
      const words = (
        await sh(
          `set -- ${command.replace(/^curl /, '').replace(/\\\n/g, '')}; printf '%s\\0' "$@"`,
          KEYS,
        )
      ).split('\0');
      expect(words[0]).toBe(
        `http://127.0.0.1:9/${call.upstream}${pathAndQuery(call)}`.replace('%5BREDACTED%5D', 'gk'),
      );
      expect(words[words.indexOf('-X') + 1]).toBe(call.request.method);
      expect(words[words.indexOf('--data-binary') + 1]).toBe(JSON.stringify(call.request.body));
    }
  });

  it('writes redacted credentials as variables and never the marker', () => {
    for (const call of calls) {
      const command = curlOf(call, null);
      expect(command).not.toContain('REDACTED');
      if (call.upstream === 'openai')
        expect(command).toContain(`-H 'authorization: Bearer '"$OPENAI_API_KEY"`);
      const first = command.split(' \\\n  ')[0];
      if (!call.request.url.includes('?'))
        expect(first).toBe(`curl ${shellQuote(call.request.url)}`);
    }
  });

  it('sends to the mock under the route path, also for an upstream whose base URL has a path', () => {
    const call = calls.find((c) => c.upstream === 'openai' && !c.request.url.includes('?'));
    if (!call) throw new Error('no OpenAI call in the snapshot');
    // Recorded through `--upstream gw=https://gateway.example/llm/openai`: the route path is
    // what follows that base, and what the mock serves under /gw.
    const viaGateway: Call = {
      ...call,
      upstream: 'gw',
      request: {
        ...call.request,
        url: 'https://gateway.example/llm/openai/v1/chat/completions?x=1',
      },
      route: { family: 'openai-chat', api: 'chat.completions', path: '/v1/chat/completions' },
    };
    const first = curlOf(viaGateway, 'http://127.0.0.1:9').split(' \\\n  ')[0];
    // The URL is one shell word of adjacent quoted pieces (the query apart): joined, it is this.
    expect((first ?? '').replace(/''/g, '')).toBe(
      `curl ${shellQuote('http://127.0.0.1:9/gw/v1/chat/completions?x=1')}`,
    );
  });
});
