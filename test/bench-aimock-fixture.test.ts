/**
 * The bench's aimock peer: the fixture made from a recorded chat completion carries that call's
 * request and reply, and "the same reply" accepts what aimock really sends for it while rejecting
 * anything else. The two .body files are aimock 1.43.0's replies (`llmock --chunk-size 20`, these
 * fixtures), captured byte for byte, so this runs without aimock installed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aimockFixtureFile, chatReplyView } from '../bench/aimock-fixture.js';
import {
  chatCompletionCall,
  STREAM_CHUNK_CHARS,
  streamedCall,
  streamedChatCall,
} from '../bench/fixtures.js';
import { prepare } from '../proxy/replay.js';
import { Call } from '../shared/schema.js';

const captured = (name: string): string =>
  readFileSync(join(import.meta.dirname, 'fixtures', 'bench-aimock', name), 'utf8');

/** The bytes `tapedeck mock --timing instant` sends for the call. */
function tapedeckBytes(call: Call): string {
  const p = prepare(call);
  if (p.events) return Buffer.concat(p.events.map((e) => e.bytes)).toString('utf8');
  return (p.body ?? Buffer.alloc(0)).toString('utf8');
}

interface Fixture {
  match: Record<string, string>;
  response: Record<string, unknown>;
  chunkSize: number;
}

function onlyFixture(file: object): Fixture {
  const { fixtures } = file as { fixtures: Fixture[] };
  expect(fixtures).toHaveLength(1);
  return fixtures[0] as Fixture;
}

describe('aimock fixture from a recorded call', () => {
  it('matches the recorded request and carries the recorded reply', () => {
    const call = Call.parse(chatCompletionCall());
    const fixture = onlyFixture(aimockFixtureFile(call, STREAM_CHUNK_CHARS));
    const request = call.request.body as { model: string; messages: { content: string }[] };
    expect(fixture.match).toEqual({
      model: request.model,
      systemMessage: request.messages[0]?.content,
      userMessage: request.messages[1]?.content,
    });
    const body = call.response.body as {
      id: string;
      created: number;
      choices: { message: { content: string } }[];
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    expect(fixture.response).toEqual({
      content: body.choices[0]?.message.content,
      id: body.id,
      created: body.created,
      model: 'gpt-4o-mini-2024-07-18',
      systemFingerprint: 'fp_bench0001',
      finishReason: 'stop',
      usage: {
        prompt_tokens: body.usage.prompt_tokens,
        completion_tokens: body.usage.completion_tokens,
        total_tokens: body.usage.total_tokens,
      },
    });
  });

  it('reads a stream back into the same text, usage and chunk size', () => {
    const json = onlyFixture(aimockFixtureFile(Call.parse(chatCompletionCall()), 20));
    const sse = onlyFixture(aimockFixtureFile(Call.parse(streamedChatCall()), STREAM_CHUNK_CHARS));
    expect(sse.match).toEqual(json.match);
    expect(sse.response.content).toBe(json.response.content);
    expect(sse.response.id).toBe('chatcmpl-BenchThroughputStream0001');
    expect(sse.chunkSize).toBe(STREAM_CHUNK_CHARS);
  });

  it('refuses a stream aimock could not send as recorded', () => {
    // Word-sized deltas: aimock slices by a fixed number of characters.
    expect(() => aimockFixtureFile(Call.parse(streamedCall()), STREAM_CHUNK_CHARS)).toThrow(
      /not 20-character slices/,
    );
    expect(() => aimockFixtureFile(Call.parse(streamedChatCall()), 16)).toThrow(
      /not 16-character slices/,
    );
  });
});

describe('the same reply by value', () => {
  const jsonCall = Call.parse(chatCompletionCall());
  const sseCall = Call.parse(streamedChatCall());

  it("accepts aimock's JSON and SSE replies for the recorded calls", () => {
    const json = tapedeckBytes(jsonCall);
    const aimockJson = captured('json-reply.body');
    expect(aimockJson).not.toBe(json);
    expect(chatReplyView(aimockJson, false)).toBe(chatReplyView(json, false));

    const sse = tapedeckBytes(sseCall);
    const aimockSse = captured('sse-reply.body');
    expect(aimockSse).not.toBe(sse);
    expect(chatReplyView(aimockSse, true)).toBe(chatReplyView(sse, true));
  });

  it('rejects a reply with other text, another id, a missing event or no [DONE]', () => {
    const json = tapedeckBytes(jsonCall);
    const aimockJson = captured('json-reply.body');
    const want = chatReplyView(json, false);
    expect(chatReplyView(aimockJson.replace('label created', 'label printed'), false)).not.toBe(
      want,
    );
    expect(chatReplyView(aimockJson.replace('"stop"', '"length"'), false)).not.toBe(want);
    expect(
      chatReplyView(aimockJson.replace('"total_tokens":', '"total_tokens":1'), false),
    ).not.toBe(want);

    const sse = tapedeckBytes(sseCall);
    const aimockSse = captured('sse-reply.body');
    const wantSse = chatReplyView(sse, true);
    const events = aimockSse.split('\n\n');
    expect(chatReplyView([...events.slice(0, 3), ...events.slice(4)].join('\n\n'), true)).not.toBe(
      wantSse,
    );
    expect(chatReplyView(aimockSse.replace('data: [DONE]\n\n', ''), true)).not.toBe(wantSse);
    expect(chatReplyView(aimockSse.replaceAll('BenchThroughputStream', 'Other'), true)).not.toBe(
      wantSse,
    );
  });

  it('rejects what a mock says when nothing matched', () => {
    const notFound = JSON.stringify({
      error: {
        message: 'No fixture matched',
        type: 'invalid_request_error',
        code: 'no_fixture_match',
      },
    });
    expect(chatReplyView(notFound, false)).not.toBe(chatReplyView(tapedeckBytes(jsonCall), false));
  });
});
