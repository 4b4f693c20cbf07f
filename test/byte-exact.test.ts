/**
 * Replies spelled the ways real servers spell them (Python's indented JSON and number forms,
 * ASCII escapes, CRLF streams, `data:` without a space, comments, a BOM) go through the recorder
 * and come back out of the mock byte for byte, while the call file keeps the body as parsed JSON.
 */
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileIn, saveFileIn } from '../proxy/host/files.js';
import type { RunningMock } from '../proxy/mock-server.js';
import type { Call } from '../shared/schema.js';
import { bytesOf, post, recordAll, startMock, type HandReply } from './support/byte-upstream.js';

const json = 'application/json';
const sse = 'text/event-stream';

/** Python's json.dumps(indent=2), ensure_ascii on, numbers as Python writes floats. */
const pythonIndented =
  '{\n  "id": "chatcmpl-1",\n  "object": "chat.completion",\n  "created": 1733000000,\n' +
  '  "model": "gpt-4o-mini",\n  "choices": [\n    {\n      "index": 0,\n      "message": {\n' +
  '        "role": "assistant",\n        "content": "caf\\u00e9 \\ud83d\\ude00",\n        "refusal": null\n' +
  '      },\n      "logprobs": {\n        "content": [\n          {\n            "token": "caf",\n' +
  '            "logprob": -0.0,\n            "bytes": [],\n            "top_logprobs": []\n' +
  '          }\n        ]\n      },\n      "finish_reason": "stop"\n    }\n  ],\n' +
  '  "usage": {\n    "prompt_tokens": 9,\n    "completion_tokens": 3,\n    "total_tokens": 12,\n' +
  '    "temperature": 1.0,\n    "cost": 7.75e-06\n  },\n  "system_fingerprint": "fp_1"\n}\n';

const replies: Record<string, HandReply> = {
  '/v1/chat/completions': {
    contentType: json,
    body: pythonIndented,
    request: '{"model":"gpt-4o-mini","messages":[]}',
  },
  '/python-compact': {
    contentType: json,
    body: '{"a": 1.0, "b": [1, 2.50, 3e2], "c": {"d": "\\u00e9"}, "e": -0.0}',
  },
  '/integer-keys': {
    contentType: json,
    body: '{"b": 1, "10": {"z": 1, "3": 2, "1": 3}, "2": 3, "a": [{"x": 0, "9": 1}]}',
  },
  '/duplicate-key': { contentType: json, body: '{"a": 1, "a": 2, "b": 3}' },
  '/big-integer': {
    contentType: json,
    body: '{"id": 12345678901234567890, "n": -98765432109876543210, "s": "x"}',
    request: '{"seed": 12345678901234567890}',
  },
  '/overflow': { contentType: json, body: '{"huge": 1e400, "tiny": 1e-400}' },
  '/escapes': {
    contentType: json,
    body: '{"url":"https:\\/\\/example.com\\/a","upper":"\\u00E9","tab":"\\u0009","quote":"\\"","mixed":"é\\u00e8"}',
  },
  '/crlf-indented': {
    contentType: json,
    body: '{\r\n    "ok": true,\r\n    "list": [\r\n        1,\r\n        2\r\n    ],\r\n    "empty": {}\r\n}\r\n',
  },
  '/odd-space': { contentType: json, body: '{ "a" : [ 1 ,2 ] , "b":{ } }  \n' },
  '/bom-json': { contentType: json, body: '\ufeff{"a":1}\n' },
  '/error': {
    status: 429,
    contentType: json,
    body: '{\n  "error": {\n    "message": "Rate limit",\n    "type": "requests",\n    "code": null\n  }\n}\n',
  },
  '/text-bom': { contentType: 'text/plain', body: '\ufeffhello\r\nworld\n' },
  '/binary': {
    contentType: 'application/octet-stream',
    body: Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0x00, 0x0a]),
  },
  '/sse-crlf': {
    contentType: sse,
    body: ['data: {"a": 1}\r\n\r\n', 'data: {"a": 2.0}\r\n\r\n', 'data: [DONE]\r\n\r\n'],
  },
  '/sse-nospace': {
    contentType: sse,
    body: ['data:{"a":1}\n\n', 'event:done\ndata:{"b":2}\n\n'],
  },
  '/sse-mixed': {
    contentType: sse,
    body: [
      ': OPENROUTER PROCESSING\n\n',
      'retry: 3000\n\n',
      'event: message\ndata: line one\ndata: line two\n\n',
      'data: {"x":1}\nid: 7\nevent: tick\n\n',
      'data: before\n: a comment inside\ndata: after\n\n',
      'event: ping\n\n',
      'unknown: field\ndata: z\n\n\n',
      'data: no final blank line',
    ],
  },
  '/sse-cr-only': { contentType: sse, body: ['data: a\r\r', 'data: b\r\r'] },
  '/sse-bom': { contentType: sse, body: ['\ufeffdata: first\n\n', 'data: second\n\n'] },
};

let dir: string;
let upstreamUrl: string;
let closeUpstream: () => Promise<void>;
let mock: RunningMock;
const calls = new Map<string, Call>();

beforeAll(async () => {
  const rec = await recordAll(replies);
  dir = rec.dir;
  upstreamUrl = rec.upstreamUrl;
  closeUpstream = rec.close;
  for (const name of await readdir(path.join(dir, 'calls'))) {
    const call = JSON.parse(await readFile(path.join(dir, 'calls', name), 'utf8')) as Call;
    calls.set(call.route?.path ?? '', call);
  }
  mock = await startMock(dir, rec.upstreamUrl);
});

afterAll(async () => {
  await mock?.close();
  await closeUpstream?.();
  await rm(dir, { recursive: true, force: true });
});

describe('byte-exact replay of hand-made replies', () => {
  it('loads every recorded call', () => {
    expect(mock.loadErrors).toEqual([]);
    expect(calls.size).toBe(Object.keys(replies).length);
  });

  for (const [route, reply] of Object.entries(replies)) {
    it(`replays ${route} byte for byte`, async () => {
      const got = await post(mock.url, route, reply.request);
      expect(got.status).toBe(reply.status ?? 200);
      expect(got.contentType).toBe(reply.contentType);
      expect(got.bytes.toString('hex')).toBe(bytesOf(reply).toString('hex'));
    });
  }

  it('keeps JSON bodies parsed and readable, with a small format instead of the text', () => {
    const chat = calls.get('/v1/chat/completions')!;
    expect(chat.response.body).toMatchObject({ model: 'gpt-4o-mini', object: 'chat.completion' });
    expect(chat.response.bodyFormat).toEqual({
      indent: '  ',
      ascii: true,
      after: '\n',
      literals: {
        '$.choices[0].logprobs.content[0].logprob': '-0.0',
        '$.usage.temperature': '1.0',
        '$.usage.cost': '7.75e-06',
      },
    });
    const keys = calls.get('/integer-keys')!.response.bodyFormat!;
    expect(keys.keys).toEqual({
      $: ['b', '10', '2', 'a'],
      '$["10"]': ['z', '3', '1'],
      '$.a[0]': ['x', '9'],
    });
    expect(keys.raw).toBeUndefined();
    // Only what the format cannot say is kept as text.
    expect(calls.get('/duplicate-key')!.response.bodyFormat!.raw).toBe(
      bytesOf(replies['/duplicate-key']!).toString(),
    );
    expect(calls.get('/odd-space')!.response.bodyFormat!.raw).toBeDefined();
    expect(calls.get('/crlf-indented')!.response.bodyFormat).toEqual({
      indent: '    ',
      eol: '\r\n',
      after: '\r\n',
    });
  });

  it('keeps integers beyond 2^53 and numbers JSON cannot hold as exact text', () => {
    expect(calls.get('/big-integer')!.response.bodyText).toContain('12345678901234567890');
    expect(calls.get('/big-integer')!.request.bodyText).toBe('{"seed": 12345678901234567890}');
    expect(calls.get('/overflow')!.response.bodyText).toContain('1e400');
  });

  it('keeps integers beyond 2^53 through a desktop save, in matching and in the replay', async () => {
    let saved = 0;
    for (const n of await readdir(path.join(dir, 'calls'))) {
      const file = await readFileIn(dir, `calls/${n}`);
      if (!file.text.includes('12345678901234567890')) continue;
      // What the desktop editor does with the file: parse it and write it back.
      const text = JSON.stringify(JSON.parse(file.text), null, 2) + '\n';
      expect((await saveFileIn(dir, file.path, text, file.hash)).ok).toBe(true);
      expect(await readFile(path.join(dir, file.path), 'utf8')).toContain('12345678901234567890');
      saved++;
    }
    expect(saved).toBe(1);
    const fresh = await startMock(dir, upstreamUrl);
    try {
      // The same digits still match; a request that differs only past 2^53 does not.
      const got = await post(fresh.url, '/big-integer', '{"seed": 12345678901234567890}');
      expect(got.bytes.toString()).toBe(bytesOf(replies['/big-integer']!).toString());
      const other = await post(fresh.url, '/big-integer', '{"seed": 12345678901234567891}');
      expect(other.status).toBe(404);
    } finally {
      await fresh.close();
    }
  });

  it('records the framing of streams, and an event of its own only where the framing cannot say it', () => {
    const crlf = calls.get('/sse-crlf')!.response;
    expect(crlf.streamFormat).toEqual({ eol: '\r\n' });
    expect(crlf.stream!.every((e) => e.raw === undefined)).toBe(true);
    expect(calls.get('/sse-nospace')!.response.streamFormat).toEqual({ space: false });
    const mixed = calls.get('/sse-mixed')!.response;
    expect(mixed.stream!.map((e) => e.data ?? e.comment ?? e.retry)).toEqual([
      'OPENROUTER PROCESSING',
      3000,
      'line one\nline two',
      '{"x":1}',
      'a comment inside',
      'before\nafter',
      'z',
      'no final blank line',
    ]);
  });

  it('answers an official SDK with the recorded bytes', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/up/v1` });
    const res = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [] })
      .asResponse();
    expect(await res.text()).toBe(pythonIndented);
  });
});
