/**
 * The adapter contract: every family's real-shaped rows (test/support/adapter-cases) go through
 * the same checks on its adapter — detection and routing, model, usage, reply text, tool calls
 * read and written back, error shapes, the malformed-fault field, estimates and the prompt view.
 * A new adapter brings its rows; the registry-wide checks make it bring them.
 */
import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../shared/adapters/adapter.js';
import { barePath } from '../shared/adapters/detect-table.js';
import { ADAPTERS, adapterOf, routeOf, routeOfCall } from '../shared/adapters/registry.js';
import { hasPath } from '../shared/faults/json-edit.js';
import { parseData } from '../shared/providers/json.js';
import '../shared/providers/o200k.js';
import { replyBody } from '../shared/providers/reading.js';
import type { RecordedResponse } from '../shared/schema.js';
import type { CallEdit } from '../shared/tool-calls/reply.js';
import type { AdapterCase } from './support/adapter-cases/case.js';
import { ALL_CASES } from './support/adapter-cases/index.js';

const ERROR_KINDS = ['rate_limit', 'overloaded', 'server_error', 'not_found'] as const;

function toolCallsRead(adapter: ProviderAdapter, response: RecordedResponse) {
  return (adapter.toolCalls?.read(response) ?? []).map((f) => ({
    name: f.name,
    arguments: f.value,
  }));
}

describe.each(ADAPTERS.map((a) => ({ family: a.family, adapter: a })))(
  '$family adapter',
  ({ adapter }) => {
    it('is what adapterOf gives for its family', () => {
      expect(adapterOf(adapter.family)).toBe(adapter);
    });

    it.each(ERROR_KINDS)(
      'answers %s in its own JSON shape, with retry-after on rate limits',
      (kind) => {
        const err = adapter.error(kind, 'boom', adapter.compatibleProvider);
        expect(err.status).toBeGreaterThanOrEqual(400);
        expect(err.headers['content-type']).toMatch(/json/);
        expect(typeof err.body).toBe('object');
        expect(JSON.parse(JSON.stringify(err.body))).toEqual(err.body);
        if (kind === 'rate_limit') expect(Number(err.headers['retry-after'])).toBeGreaterThan(0);
      },
    );

    it('names its required field as a JSON path', () => {
      expect(adapter.requiredField.body).toMatch(/^\$/);
      expect(adapter.requiredField.event).toMatch(/^\$/);
    });

    it.skipIf(adapter.family === 'http')('has contract rows', () => {
      expect(ALL_CASES.filter((c) => c.family === adapter.family).length).toBeGreaterThan(0);
    });
  },
);

describe.each(ALL_CASES.map((c) => ({ ...c, title: `${c.family}: ${c.name}` })))(
  '$title',
  (c: AdapterCase) => {
    const adapter = adapterOf(c.family);

    it('detects its path as its api, and the registry routes it to this family', () => {
      expect(adapter.family).toBe(c.family);
      expect(adapter.detect(barePath(c.path))).toBe(c.api);
      expect(routeOf(c.path)).toEqual({ family: c.family, api: c.api, path: c.path });
      expect(routeOf(`${c.path}/?alt=sse`)).toMatchObject({ family: c.family, api: c.api });
    });

    it('routes a recorded call by its stored route, else by its signature path or URL', () => {
      const route = { family: c.family, api: c.api, path: c.path };
      const request = { url: `https://vendor.test/base${c.path}?key=1` };
      expect(routeOfCall({ api: '', request, route })).toEqual(route);
      expect(
        routeOfCall({ api: '', request: { url: 'http://x.test/' }, signature: { path: c.path } }),
      ).toEqual(route);
      expect(routeOfCall({ api: '', request })).toMatchObject({ family: c.family, api: c.api });
    });

    it('reads the model the request names', () => {
      expect(adapter.requestModel(c.path, c.request)).toBe(c.model);
    });

    it('reads the usage of the reply', () => {
      expect(adapter.read(c.response).usage).toEqual(c.usage);
    });

    it('reads the reply text a person reads', () => {
      expect(adapter.replyText(c.response)).toBe(c.replyText);
      if (c.response.stream) {
        const joined = c.response.stream.map((e) => adapter.deltaText(e)).join('');
        expect(joined).toBe(c.replyText ?? '');
      }
    });

    it('reads the tool calls, and reads back edited ones it wrote', () => {
      expect(toolCallsRead(adapter, c.response)).toEqual(c.toolCalls);
      const tools = adapter.toolCalls;
      if (!tools || c.toolCalls.length === 0) return;
      const args = { edited: true, n: 2 };
      const edits: CallEdit[] = c.toolCalls.map((t) => ({
        name: `${t.name}_v2`,
        args: tools.argsAre === 'text' ? JSON.stringify(args) : args,
      }));
      const written = tools.write(c.response, edits);
      expect(toolCallsRead(adapter, written)).toEqual(
        c.toolCalls.map((t) => ({ name: `${t.name}_v2`, arguments: args })),
      );
      // The recording itself is left as it was.
      expect(toolCallsRead(adapter, c.response)).toEqual(c.toolCalls);
    });

    it('finds its required field in the reply, where a malformed fault breaks it', () => {
      const { body, event } = adapter.requiredField;
      if (c.response.stream) {
        const events = c.response.stream.map((e) => parseData(e.data));
        expect(events.some((json) => hasPath(json as never, event))).toBe(true);
      } else {
        expect(hasPath(replyBody(c.response) as never, body)).toBe(true);
      }
    });

    it('estimates input tokens for the request', () => {
      const counts = adapter.estimate(c.request, c.replyText ?? '', c.model);
      expect(counts.inputTokens).toBeGreaterThan(0);
      expect(counts.outputTokens).toBeGreaterThanOrEqual(0);
    });

    it('shows the request as a conversation', () => {
      const messages = adapter.prompt(c.request);
      expect(messages).not.toBeNull();
      expect(messages?.length).toBeGreaterThan(0);
    });
  },
);

describe('the registry', () => {
  it('has no two adapters that detect the same path', () => {
    const paths = [
      ...ALL_CASES.map((c) => c.path),
      '/v1/responses/resp_123',
      '/v1/responses/compact',
      '/v1/responses/input_tokens',
      '/v1/messages/count_tokens',
      '/v1beta/models/gemini-2.0-flash:countTokens',
    ];
    for (const path of paths) {
      const detecting = ADAPTERS.filter((a) => a.detect(barePath(path)) !== null);
      expect(
        detecting.map((a) => a.family),
        path,
      ).toHaveLength(1);
    }
  });

  it.each([
    ['/v1/responses/resp_123', 'openai-responses', 'responses.retrieve'],
    ['/v1/responses/input_tokens', 'http', 'responses.input_tokens'],
    ['/v1/responses/compact', 'openai-responses', 'responses.compact'],
    ['/v1/messages/count_tokens', 'http', 'messages.count_tokens'],
    ['/v1beta/models/gemini-2.0-flash:countTokens', 'http', 'countTokens'],
    ['/v1/threads/thread_1/messages', 'http', 'http'],
    ['/v1/files', 'http', 'http'],
  ])('routes %s to %s %s', (path, family, api) => {
    expect(routeOf(path)).toEqual({ family, api, path });
  });

  it('answers a family it does not know with plain HTTP', () => {
    expect(adapterOf('no-such-family')).toBe(adapterOf('http'));
  });
});
