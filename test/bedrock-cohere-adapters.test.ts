/**
 * The Bedrock Converse and Cohere v2 chat adapters against their case rows (the checks the
 * contract table makes for every family), tool-call edits and breaks on their replies, and the AWS
 * event-stream codec against the Smithy codec the AWS SDK itself uses.
 */
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/core/serde';
import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../shared/adapters/adapter.js';
import { bedrockConverseAdapter } from '../shared/adapters/bedrock-converse/index.js';
import {
  EventStreamError,
  FrameDecoder,
  crc32,
  decodeFrame,
  decodeHeaders,
  encodeFrame,
  encodeHeaders,
  type Header,
} from '../shared/adapters/bedrock-converse/eventstream.js';
import {
  eventToFrame,
  frameToEvent,
  standardHeaders,
} from '../shared/adapters/bedrock-converse/frames.js';
import { cohereChatAdapter } from '../shared/adapters/cohere-chat/index.js';
import { providerOf, routeOf } from '../shared/adapters/registry.js';
import type { Call } from '../shared/schema.js';
import { breakToolCalls, toolCallsOf, withToolCalls } from '../shared/tool-calls/index.js';
import { cases as bedrockCases } from './support/adapter-cases/bedrock-converse.js';
import type { AdapterCase } from './support/adapter-cases/case.js';
import { cases as cohereCases } from './support/adapter-cases/cohere-chat.js';
import { STREAM_EVENTS } from './support/bedrock-wire.js';
// Estimates count with the tokenizer, which only the recorder (and tests) install.
import '../shared/providers/o200k.js';

const ADAPTERS: Record<string, ProviderAdapter> = {
  'bedrock-converse': bedrockConverseAdapter,
  'cohere-chat': cohereChatAdapter,
};

function callOf(c: AdapterCase): Call {
  return {
    format: 'tapedeck/1',
    id: 'c_case',
    seq: 1,
    recordedAt: '2026-12-03T00:00:00.000Z',
    upstream: c.family === 'bedrock-converse' ? 'bedrock' : 'cohere',
    provider: c.family === 'bedrock-converse' ? 'bedrock' : 'cohere',
    api: c.api,
    model: c.model,
    outcome: 'complete',
    request: { method: 'POST', url: `https://example.test${c.path}`, headers: {}, body: c.request },
    response: c.response,
    timing: { ttfbMs: 1, totalMs: 2 },
    usage: null,
    costUsd: null,
    costSource: 'none',
    signature: { method: 'POST', path: c.path },
  };
}

describe.each([...bedrockCases, ...cohereCases])('$name', (c) => {
  const adapter = ADAPTERS[c.family] as ProviderAdapter;

  it('is detected, by the adapter and by the registry', () => {
    expect(adapter.detect(c.path)).toBe(c.api);
    expect(routeOf(c.path)).toEqual({ family: c.family, api: c.api, path: c.path });
    expect(providerOf('my-gateway', c.family)).toBe(adapter.compatibleProvider);
  });

  it('reads the model, usage, reply text and tool calls', () => {
    expect(adapter.requestModel(c.path, c.request)).toBe(c.model);
    // Fault scopes by model see the same model on a miss, where only the path is known.
    expect(adapter.requestModel(c.path, undefined)).toBe(
      c.family === 'cohere-chat' ? null : c.model,
    );
    expect(adapter.read(c.response).usage).toEqual(c.usage);
    expect(adapter.replyText(c.response)).toBe(c.replyText);
    const found = adapter.toolCalls?.read(c.response) ?? [];
    expect(found.map((f) => ({ name: f.name, arguments: f.value }))).toEqual(c.toolCalls);
  });

  it('estimates input, shows the prompt, and tells text apart in stream events', () => {
    const est = adapter.estimate(c.request, adapter.read(c.response).replyText(), c.model);
    expect(est.inputTokens).toBeGreaterThan(0);
    expect(est.outputTokens).toBeGreaterThan(0);
    expect(adapter.prompt(c.request)?.length).toBeGreaterThan(0);
    expect(adapter.prompt({ nothing: true })).toBeNull();
    if (c.response.stream) {
      const text = c.response.stream.map((e) => adapter.deltaText(e)).join('');
      expect(text).toContain(c.replyText ?? '');
    }
  });

  it('writes edited tool calls back and breaks them for malformed faults', () => {
    if (c.toolCalls.length === 0) return;
    const call = callOf(c);
    const views = toolCallsOf(call);
    expect(views.map((v) => v.name)).toEqual(c.toolCalls.map((t) => t.name));
    const edited = withToolCalls(
      call,
      views.map((v) => ({ ...v, name: 'lookup', arguments: '{"city":"Oslo"}' })),
    );
    expect(toolCallsOf(edited).map((v) => [v.name, JSON.parse(v.arguments)])).toEqual(
      views.map(() => ['lookup', { city: 'Oslo' }]),
    );
    const renamed = breakToolCalls(call, 'toolName');
    expect(toolCallsOf(renamed as Call).map((v) => v.name)).toEqual(['get_weathr']);
    const half = breakToolCalls(call, 'textThenHalfTool') as Call;
    expect(toolCallsOf(half)).toEqual([]);
    expect(adapter.replyText(half.response)).toContain('{"name":"get_weather"');
  });

  it('answers errors in the family shape', () => {
    const err = adapter.error('rate_limit', '', adapter.compatibleProvider);
    expect(err.status).toBe(429);
    if (c.family === 'bedrock-converse') {
      expect(err.headers['x-amzn-errortype']).toMatch(/^ThrottlingException:/);
      expect(err.body).toEqual({ message: expect.any(String) });
    } else {
      expect(err.body).toEqual({ id: expect.any(String), message: expect.any(String) });
    }
  });
});

describe('AWS event-stream codec', () => {
  const smithy = new EventStreamCodec(toUtf8, fromUtf8);
  const smithyHeaders = {
    ':event-type': { type: 'string' as const, value: 'contentBlockDelta' },
    ':content-type': { type: 'string' as const, value: 'application/json' },
    ':message-type': { type: 'string' as const, value: 'event' },
  };
  const payload = JSON.stringify(STREAM_EVENTS[1]?.payload);

  it('computes the CRC32 of the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('encodes the same bytes as the Smithy codec, and decodes its frames', () => {
    const theirs = smithy.encode({ headers: smithyHeaders, body: fromUtf8(payload) });
    const ours = encodeFrame(
      encodeHeaders(standardHeaders('contentBlockDelta')),
      fromUtf8(payload),
    );
    expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
    const decoded = decodeFrame(theirs);
    expect(toUtf8(decoded.payload)).toBe(payload);
    expect(decodeHeaders(decoded.headerBytes).map((h) => h.name)).toEqual([
      ':event-type',
      ':content-type',
      ':message-type',
    ]);
  });

  it('round-trips every header type', () => {
    const headers: Header[] = [
      { name: 't', value: { type: 'boolean', value: true } },
      { name: 'f', value: { type: 'boolean', value: false } },
      { name: 'b', value: { type: 'byte', value: -7 } },
      { name: 's', value: { type: 'short', value: -300 } },
      { name: 'i', value: { type: 'integer', value: 2 ** 31 - 1 } },
      { name: 'l', value: { type: 'long', value: 2n ** 40n + 1n } },
      { name: 'bin', value: { type: 'binary', value: Uint8Array.of(0, 255, 9) } },
      { name: 'str', value: { type: 'string', value: 'héllo' } },
      { name: 'ts', value: { type: 'timestamp', value: 1764720000000n } },
      { name: 'u', value: { type: 'uuid', value: new Uint8Array(16).fill(0xab) } },
    ];
    const frame = encodeFrame(encodeHeaders(headers), new Uint8Array(0));
    expect(decodeHeaders(decodeFrame(frame).headerBytes)).toEqual(headers);
    // The Smithy parser reads them the same way.
    const theirs = smithy.decode(frame).headers;
    expect(theirs['l']?.value.toString()).toBe((2n ** 40n + 1n).toString());
    expect(theirs['str']?.value).toBe('héllo');
  });

  it('rejects a frame whose CRC does not match', () => {
    const frame = encodeFrame(encodeHeaders(standardHeaders('messageStop')), fromUtf8('{}'));
    const flip = (at: number) => {
      const copy = frame.slice();
      copy[at] = (copy[at] as number) ^ 1;
      return copy;
    };
    const badMessage = flip(frame.length - 6);
    expect(() => decodeFrame(badMessage)).toThrow(/message CRC/);
    const badPrelude = flip(3);
    expect(() => decodeFrame(badPrelude)).toThrow(/prelude CRC/);
    const decoder = new FrameDecoder();
    expect(() => decoder.push(badMessage)).toThrow(EventStreamError);
    // Once the framing is lost, nothing after it is trusted.
    expect(() => decoder.push(frame)).toThrow(EventStreamError);
  });

  it('decodes frames split across chunks at every byte', () => {
    const frames = STREAM_EVENTS.map((e) =>
      smithy.encode({
        headers: { ...smithyHeaders, ':event-type': { type: 'string', value: e.type } },
        body: fromUtf8(JSON.stringify(e.payload)),
      }),
    );
    const all = Buffer.concat(frames.map((f) => Buffer.from(f)));
    for (let cut = 0; cut <= all.length; cut++) {
      const decoder = new FrameDecoder();
      const got = [...decoder.push(all.subarray(0, cut)), ...decoder.push(all.subarray(cut))];
      expect(got.length).toBe(frames.length);
      expect(decoder.pending).toBe(0);
    }
    // And one byte at a time.
    const decoder = new FrameDecoder();
    const got = [];
    for (const byte of all) got.push(...decoder.push(Uint8Array.of(byte)));
    expect(got.map((f) => Buffer.from(f.bytes))).toEqual(frames.map((f) => Buffer.from(f)));
  });

  it('stores a frame as event + data and re-encodes the same bytes', () => {
    for (const e of STREAM_EVENTS) {
      const bytes = smithy.encode({
        headers: { ...smithyHeaders, ':event-type': { type: 'string', value: e.type } },
        body: fromUtf8(JSON.stringify(e.payload)),
      });
      const stored = frameToEvent(decodeFrame(bytes), 12.5);
      expect(stored).toEqual({ at: 12.5, event: e.type, data: JSON.stringify(e.payload) });
      expect(Buffer.from(eventToFrame(stored)).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('keeps headers it cannot derive, and exceptions by their type', () => {
    const exception = encodeFrame(
      encodeHeaders(standardHeaders('exception:throttlingException')),
      fromUtf8('{"message":"slow down"}'),
    );
    const stored = frameToEvent(decodeFrame(exception), 1);
    expect(stored).toEqual({
      at: 1,
      event: 'exception:throttlingException',
      data: '{"message":"slow down"}',
    });
    // S3-style order, another content type, an extra header: all kept as they came.
    const odd = smithy.encode({
      headers: {
        ':message-type': { type: 'string', value: 'event' },
        ':event-type': { type: 'string', value: 'Records' },
        ':content-type': { type: 'string', value: 'application/octet-stream' },
        'x-extra': { type: 'integer', value: 5 },
      },
      body: Uint8Array.of(0xff, 0x00, 0xfe),
    });
    const kept = frameToEvent(decodeFrame(odd), 2);
    expect(kept.event).toBe('Records');
    expect(kept.headersBase64).toBeDefined();
    expect(kept.dataBase64).toBe(Buffer.from([0xff, 0x00, 0xfe]).toString('base64'));
    expect(Buffer.from(eventToFrame(kept)).equals(Buffer.from(odd))).toBe(true);
    // Renaming the event by hand wins over the recorded headers.
    const renamed = decodeFrame(eventToFrame({ ...kept, event: 'Stats' }));
    expect(smithy.decode(renamed.bytes).headers[':event-type']?.value).toBe('Stats');
  });
});
