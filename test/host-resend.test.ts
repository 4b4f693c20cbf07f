/**
 * Re-sending a call file's request to a real mock of its snapshot: the recorded method, path,
 * query and body with placeholder keys, and the reply read whole. A call that still matches comes
 * back as its own recording; one whose signature no longer matches is the mock's miss.
 */
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMock } from '../proxy/mock-server.js';
import { resendCallTo } from '../proxy/host/resend.js';
import { prepare } from '../proxy/replay.js';
import { Call } from '../shared/schema.js';
import { hostFixture, type HostFixture } from './support/host-fixture.js';

let fx: HostFixture;
let mock: RunningMock;

beforeEach(async () => {
  fx = await hostFixture();
  mock = await startMockServer({
    dir: fx.snap,
    port: 0,
    timing: { mode: 'instant' },
    watch: false,
    log: () => undefined,
  });
});

afterEach(async () => {
  await mock.close();
  await fx.cleanup();
});

async function callOf(rel: string): Promise<Call> {
  return Call.parse(JSON.parse(await readFile(path.join(fx.snap, rel), 'utf8')));
}

/** The reply bytes the recording stands for, as the mock replays them. */
function recordedReply(call: Call): string {
  const p = prepare(call);
  return (p.body ?? Buffer.concat((p.events ?? []).map((e) => e.bytes))).toString('utf8');
}

const CASES = [
  ['OpenAI chat', 'calls/000001-openai-chat-gpt-4o-mini-2024-07-18.json'],
  ['Anthropic stream', 'calls/000005-anthropic-messages-claude-sonnet-4-6.json'],
  ['Gemini', 'calls/000006-gemini-generate-gemini-2.5-flash.json'],
  ['Gemini stream (query ?alt=sse)', 'calls/000007-gemini-stream-gemini-2.5-flash.json'],
] as const;

describe('resendCallTo', () => {
  for (const [name, rel] of CASES) {
    it(`${name}: the mock answers with the call itself`, async () => {
      const call = await callOf(rel);
      const r = await resendCallTo(fx.snap, rel, mock.url);
      expect(r.status).toBe(call.response.status);
      expect(r.answeredBy).toBe(call.id);
      expect(r.bodyEncoding).toBe('utf8');
      expect(r.body).toBe(recordedReply(call));
      expect(r.headers['content-type']).toBe(call.response.headers['content-type']);
      expect(r.totalMs).toBeGreaterThanOrEqual(r.ttfbMs);
      expect(mock.unmatched).toBe(0);
    });
  }

  it('a call whose signature no longer matches its request: the miss, answered by nobody', async () => {
    const rel = 'calls/000001-openai-chat-gpt-4o-mini-2024-07-18.json';
    const call = await callOf(rel);
    const edited = {
      ...call,
      signature: {
        ...call.signature,
        body: { ...(call.signature.body as object), model: 'gpt-5' },
      },
    };
    await writeFile(path.join(fx.snap, rel), JSON.stringify(edited, null, 2));
    await mock.close();
    mock = await startMockServer({
      dir: fx.snap,
      port: 0,
      timing: { mode: 'instant' },
      watch: false,
      log: () => undefined,
    });
    const r = await resendCallTo(fx.snap, rel, mock.url);
    expect(r.status).toBe(404);
    expect(r.answeredBy).toBeNull();
    expect(mock.unmatched).toBe(1);
  });

  it('never sends the recorded auth values: placeholders instead', async () => {
    const rel = 'calls/000004-anthropic-messages-claude-sonnet-4-6.json';
    const seen: Record<string, string | string[] | undefined>[] = [];
    const probe = http.createServer((req, res) => {
      seen.push(req.headers);
      res.end('{}');
    });
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    try {
      const r = await resendCallTo(fx.snap, rel, `http://127.0.0.1:${port}`);
      expect(r.answeredBy).toBeNull();
    } finally {
      await new Promise((r) => probe.close(r));
    }
    const h = seen[0]!;
    expect(h['authorization']).toBe('Bearer tapedeck-placeholder-key');
    expect(h['anthropic-version']).toBe((await callOf(rel)).request.headers['anthropic-version']);
    expect(JSON.stringify(h)).not.toContain('REDACTED');
    expect(h['x-stainless-retry-count']).toBeUndefined();
  });

  it('refuses paths outside the folder and files that are not calls', async () => {
    await expect(resendCallTo(fx.snap, '../x.json', mock.url)).rejects.toMatchObject({
      code: 'path_outside',
    });
    await expect(resendCallTo(fx.snap, 'tapedeck.json', mock.url)).rejects.toMatchObject({
      code: 'bad_request',
    });
  });
});

describe('DesktopHost.resendCall', () => {
  it('with the mock announcing itself in the folder: sent to it and answered by the call', async () => {
    await fx.host.openFolder(fx.snap);
    const rel = 'calls/000001-openai-chat-gpt-4o-mini-2024-07-18.json';
    const r = await fx.host.resendCall(rel);
    expect(r.answeredBy).toBe((await callOf(rel)).id);
  });

  it('without a connected mock: no_mock, saying how to start one', async () => {
    // The mock's announce file is what the host finds it by: without it, no mock serves the folder.
    await mock.close();
    await fx.host.openFolder(fx.snap);
    await expect(
      fx.host.resendCall('calls/000001-openai-chat-gpt-4o-mini-2024-07-18.json'),
    ).rejects.toMatchObject({ code: 'no_mock', message: expect.stringContaining('tapedeck mock') });
  });

  it('without an open folder: no_folder', async () => {
    await expect(fx.host.resendCall('calls/x.json')).rejects.toMatchObject({ code: 'no_folder' });
  });
});
