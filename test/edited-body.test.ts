/**
 * A reply edited in its call file (parsed, a value changed, saved through the desktop host's save)
 * is replayed as edited, in the recorded style wherever that still applies; the exact recorded
 * text is used only while the value is still the one it spells.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileIn, saveFileIn } from '../proxy/host/files.js';
import type { RunningMock } from '../proxy/mock-server.js';
import type { Call } from '../shared/schema.js';
import { bytesOf, post, recordAll, startMock, type HandReply } from './support/byte-upstream.js';
import { parseSse } from './support/sse.js';

const indented =
  '{\n  "id": "r1",\n  "text": "caf\\u00e9",\n  "temperature": 1.0,\n  "logprob": -0.0,\n' +
  '  "cost": 7.75e-06\n}\n';

const replies: Record<string, HandReply> = {
  '/indented': { contentType: 'application/json', body: indented },
  '/duplicate': { contentType: 'application/json', body: '{"a": 1, "a": 2, "b": 3}' },
  '/unedited': { contentType: 'application/json', body: '{"a": 1, "a": 2}' },
  '/crlf': {
    contentType: 'text/event-stream',
    body: ['data: {"a": 1}\r\n\r\n', 'data: {"a": 2.0}\r\n\r\n', 'data: [DONE]\r\n\r\n'],
  },
  '/mixed': {
    contentType: 'text/event-stream',
    body: [
      ': keep-alive\n\n',
      'data: {"x":1}\nid: 7\nevent: tick\n\n',
      'data:{"y":1}\n\n',
      'data: {"z":1}\n\n',
    ],
  },
};

let dir: string;
let close: () => Promise<void>;
let mock: RunningMock;

/** Edits a call file the way the desktop does: read, parse, change, save with the base hash. */
async function edit(route: string, change: (call: Call) => void): Promise<void> {
  for (const name of await readdir(path.join(dir, 'calls'))) {
    const file = await readFileIn(dir, `calls/${name}`);
    const call = JSON.parse(file.text) as Call;
    if (call.route?.path !== route) continue;
    change(call);
    const saved = await saveFileIn(dir, file.path, JSON.stringify(call, null, 2) + '\n', file.hash);
    expect(saved.ok, JSON.stringify(saved)).toBe(true);
    return;
  }
  throw new Error(`no call for ${route}`);
}

beforeAll(async () => {
  const rec = await recordAll(replies);
  dir = rec.dir;
  close = rec.close;
  await edit('/indented', (c) => {
    const body = c.response.body as Record<string, unknown>;
    body['text'] = 'edité';
    body['temperature'] = 0.5;
  });
  await edit('/duplicate', (c) => {
    (c.response.body as Record<string, unknown>)['b'] = 4;
  });
  await edit('/crlf', (c) => {
    c.response.stream![1]!.data = '{"a": 3}';
  });
  await edit('/mixed', (c) => {
    c.response.stream!.find((e) => e.event === 'tick')!.data = '{"x":2}';
    // This one kept its own text (`data:` without the space, unlike the rest of the stream).
    const y = c.response.stream!.find((e) => e.data === '{"y":1}')!;
    expect(y.raw).toBe('data:{"y":1}\n\n');
    y.data = '{"y":2}';
  });
  mock = await startMock(dir, rec.upstreamUrl);
});

afterAll(async () => {
  await mock?.close();
  await close?.();
  await rm(dir, { recursive: true, force: true });
});

describe('an edited reply is replayed as edited', () => {
  it('loads the edited files', () => {
    expect(mock.loadErrors).toEqual([]);
  });

  it('writes an edited JSON body in the recorded style, keeping the spellings of values left alone', async () => {
    const got = await post(mock.url, '/indented');
    expect(got.bytes.toString()).toBe(
      indented.replace('"caf\\u00e9"', '"edit\\u00e9"').replace('1.0', '0.5'),
    );
  });

  it('drops the kept text once the value it spells has changed', async () => {
    const got = await post(mock.url, '/duplicate');
    expect(got.bytes.toString()).toBe('{"a": 2, "b": 4}');
    // The same kind of file left alone still replays its exact text, duplicate key and all.
    const same = await post(mock.url, '/unedited');
    expect(same.bytes.toString()).toBe(bytesOf(replies['/unedited']!).toString());
  });

  it('writes an edited stream event in the stream framing, the others as recorded', async () => {
    const got = await post(mock.url, '/crlf');
    expect(got.bytes.toString()).toBe(
      'data: {"a": 1}\r\n\r\ndata: {"a": 3}\r\n\r\ndata: [DONE]\r\n\r\n',
    );
  });

  it('writes an edited event that had its own text from its fields, and keeps the others', async () => {
    const got = await post(mock.url, '/mixed');
    const text = got.bytes.toString();
    // The stream's own field order (data, id, event) still applies to the edited event.
    expect(text).toBe(
      ': keep-alive\n\ndata: {"x":2}\nid: 7\nevent: tick\n\ndata: {"y":2}\n\ndata: {"z":1}\n\n',
    );
    expect(parseSse(text).map((e) => e.data)).toEqual(['{"x":2}', '{"y":2}', '{"z":1}']);
  });
});
