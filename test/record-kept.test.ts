/**
 * *Record it*: `MissRecorder.record` forwards a kept request once, with the mock's own key in
 * place of the placeholder the SDK sent, writes the call, the same request asked twice is recorded once.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PLACEHOLDER_KEY } from '../proxy/child-env.js';
import type { KeptRequest } from '../proxy/mock/kept-request.js';
import { MissRecorder } from '../proxy/mock/record-miss.js';
import type { LoadedCall } from '../proxy/store/snapshot-store.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

const ENV_KEY = 'sk-proj-FROMTHEENV0123456789abcdef';

let dir: string;
let upstream: FakeUpstream;
let recorder: MissRecorder | null = null;
const added: LoadedCall[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-kept-'));
  await mkdir(path.join(dir, 'calls'));
  await writeFile(
    path.join(dir, 'tapedeck.json'),
    JSON.stringify({ format: 'tapedeck/2', createdAt: new Date().toISOString(), recorder: 'test' }),
  );
  upstream = await startFakeUpstream();
  added.length = 0;
});

afterEach(async () => {
  await recorder?.close();
  recorder = null;
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

function kept(authorization: string | null): KeptRequest {
  const body = Buffer.from(
    JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] }),
  );
  return {
    method: 'POST',
    upstream: 'openai',
    path: '/v1/chat/completions',
    search: '',
    headers: {
      'content-type': 'application/json',
      'content-length': String(body.length),
      ...(authorization ? { authorization } : {}),
    },
    body,
  };
}

function recorderWith(env: NodeJS.ProcessEnv): MissRecorder {
  recorder = new MissRecorder({
    dir,
    upstreams: { openai: upstream.url },
    env,
    log: () => {},
    added: async (l) => void added.push(l),
  });
  return recorder;
}

describe('MissRecorder.record', () => {
  it("sends the environment's key in place of the placeholder and writes the call", async () => {
    const r = recorderWith({ OPENAI_API_KEY: ENV_KEY });
    const out = await r.record(kept(`Bearer ${PLACEHOLDER_KEY}`));
    expect(out).toMatchObject({ ok: true, status: 200 });
    if (!out.ok) return;
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]?.headers.authorization).toBe(`Bearer ${ENV_KEY}`);
    expect(await readdir(path.join(dir, 'calls'))).toEqual([out.file.slice('calls/'.length)]);
    const text = await readFile(path.join(dir, out.file), 'utf8');
    expect(text).not.toContain(ENV_KEY);
    expect(JSON.parse(text)).toMatchObject({ id: out.call, seq: 1, upstream: 'openai' });
    expect(added.map((l) => l.file)).toEqual([out.file]);
  });

  it('uses the environment when the request carries no key at all', async () => {
    const r = recorderWith({ OPENAI_API_KEY: ENV_KEY });
    const out = await r.record(kept(null));
    expect(out.ok).toBe(true);
    expect(upstream.requests[0]?.headers.authorization).toBe(`Bearer ${ENV_KEY}`);
  });

  it("keeps the request's own real key", async () => {
    const r = recorderWith({ OPENAI_API_KEY: ENV_KEY });
    const out = await r.record(kept('Bearer sk-proj-THECALLERSOWN000000000000'));
    expect(out.ok).toBe(true);
    expect(upstream.requests[0]?.headers.authorization).toBe(
      'Bearer sk-proj-THECALLERSOWN000000000000',
    );
  });

  it('refuses without a key, naming the variable, and forwards nothing', async () => {
    const r = recorderWith({});
    const out = await r.record(kept(`Bearer ${PLACEHOLDER_KEY}`));
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.reason).toMatch(/OPENAI_API_KEY is not set/);
    expect(upstream.requests).toHaveLength(0);
    expect(await readdir(path.join(dir, 'calls'))).toEqual([]);
  });

  it('records the same kept request once when asked twice at the same time', async () => {
    const r = recorderWith({ OPENAI_API_KEY: ENV_KEY });
    const [a, b] = await Promise.all([r.record(kept(null)), r.record(kept(null))]);
    expect(a).toEqual(b);
    expect(a.ok).toBe(true);
    expect(upstream.requests).toHaveLength(1);
    expect(await readdir(path.join(dir, 'calls'))).toHaveLength(1);
  });
});
