/**
 * examples/gateway/capabilities.ts: what a request needs (tools, image input, context tokens), why
 * a model cannot serve it, and, through the router on real sockets, that a fallback never lands
 * on a model that does less than the request needs, even one the registry names as a fallback.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { afterEach, describe, expect, it } from 'vitest';
import { needsOf, uncovered } from '../examples/gateway/capabilities.js';
import type { ModelEntry } from '../examples/gateway/registry.js';
import type { RouteRequest } from '../examples/gateway/request.js';
import {
  chat,
  entry,
  errorOf,
  imagePart,
  linesWith,
  ok,
  route,
  startTestGateway,
  startVendor,
  weatherTool,
  type StubVendor,
  type TestGateway,
} from './support/gateway.js';

const req = (o: Partial<RouteRequest>): RouteRequest => ({
  messages: [{ role: 'user', content: 'hello world' }],
  ...o,
});

describe('needsOf', () => {
  it('counts 4 tokens a message plus its text (o200k), and 1024 for the reply by default', () => {
    const n = needsOf(
      req({
        messages: [
          { role: 'system', content: 'hello world' },
          { role: 'user', content: 'Describe this picture.' },
        ],
      }),
    );
    // 4 + 2 ("hello world") + 4 + 4 ("Describe this picture.")
    expect(n).toEqual({
      tools: false,
      vision: false,
      promptTokens: 14,
      outputTokens: 1024,
      contextTokens: 1038,
    });
  });

  it('takes the reply room from max_tokens', () => {
    const n = needsOf(req({ max_tokens: 10 }));
    expect(n).toMatchObject({ promptTokens: 6, outputTokens: 10, contextTokens: 16 });
  });

  it('needs tools only when the request declares at least one, and counts their JSON', () => {
    expect(needsOf(req({})).tools).toBe(false);
    expect(needsOf(req({ tools: [] })).tools).toBe(false);
    const tools = [weatherTool] as unknown as RouteRequest['tools'];
    const n = needsOf(req({ tools }));
    expect(n.tools).toBe(true);
    expect(n.promptTokens).toBe(6 + countTokens(JSON.stringify(tools)));
  });

  it.each(['image_url', 'input_image'])('needs vision for a %s part', (type) => {
    const n = needsOf(
      req({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe this picture.' },
              { type, image_url: { url: 'data:image/png;base64,AAAA' } },
            ],
          },
        ],
      }),
    );
    expect(n.vision).toBe(true);
    // The text part counts, the image part does not.
    expect(n.promptTokens).toBe(4 + 4);
  });

  it('needs no vision for text parts only, nor for a message without content', () => {
    const n = needsOf(
      req({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'hello world' }] },
          { role: 'assistant', content: null },
        ],
      }),
    );
    expect(n).toMatchObject({ vision: false, promptTokens: 4 + 2 + 4 });
  });
});

describe('uncovered', () => {
  const full = entry('m', 'http://x/v1', { contextWindow: 1000 });
  const needs = (o: Partial<ReturnType<typeof needsOf>>) => ({
    ...needsOf(req({ max_tokens: 1 })),
    ...o,
  });

  it('is null when the model covers every need, a context exactly the window included', () => {
    expect(uncovered(full, needs({ tools: true, vision: true, contextTokens: 1000 }))).toBeNull();
  });

  it('names the missing tool calling', () => {
    const m = entry('m', 'http://x/v1', { supports: { tools: false, vision: true } });
    expect(uncovered(m, needs({ tools: true }))).toBe('no tool calling');
    expect(uncovered(m, needs({ tools: false }))).toBeNull();
  });

  it('names the missing image input', () => {
    const m = entry('m', 'http://x/v1', { supports: { tools: true, vision: false } });
    expect(uncovered(m, needs({ vision: true }))).toBe('no image input');
    expect(uncovered(m, needs({ vision: false }))).toBeNull();
  });

  it('names a context over the window, by one token', () => {
    expect(uncovered(full, needs({ contextTokens: 1001 }))).toBe(
      'context 1001 tokens > window 1000',
    );
  });
});

describe('a fallback never downgrades capability', () => {
  let vendors: StubVendor[] = [];
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    await Promise.all(vendors.map((v) => v.close()));
    vendors = [];
    gw = undefined;
  });

  const cases: {
    need: string;
    body: Record<string, unknown>;
    lacks: Partial<ModelEntry>;
    why: RegExp;
  }[] = [
    {
      need: 'vision',
      body: chat({ messages: [{ role: 'user', content: [imagePart] }] }),
      lacks: { supports: { tools: true, vision: false } },
      why: /^capability: no image input$/,
    },
    {
      need: 'tools',
      body: chat({ tools: [weatherTool] }),
      lacks: { supports: { tools: false, vision: true } },
      why: /^capability: no tool calling$/,
    },
    {
      need: 'context',
      body: chat({ max_tokens: 4000 }),
      lacks: { contextWindow: 2000 },
      why: /^capability: context \d+ tokens > window 2000$/,
    },
  ];

  /**
   * `first` (the cheapest capable model, failing with 500) names `lesser` (cheaper still, lacking
   * the need) as its first fallback; `capable` costs most.
   */
  async function setup(lacks: Partial<ModelEntry>, capableFails: boolean) {
    const failing = () => ({ status: 500, json: { error: { message: 'boom' } } });
    const first = await startVendor('first', failing);
    const lesser = await startVendor('lesser', ok());
    const capable = await startVendor('capable', capableFails ? failing : ok());
    vendors = [first, lesser, capable];
    gw = await startTestGateway([
      entry('first', first.baseURL, {
        price: { input: 2, output: 2 },
        fallbacks: ['lesser', 'capable'],
      }),
      entry('lesser', lesser.baseURL, { price: { input: 0.1, output: 0.1 }, ...lacks }),
      entry('capable', capable.baseURL, { price: { input: 9, output: 9 } }),
    ]);
    return { first, lesser, capable, gw };
  }

  it.each(cases)('skips a declared fallback without $need for one that has it', async (c) => {
    const { first, lesser, capable, gw } = await setup(c.lacks, false);
    const a = await route(gw.url, c.body, { 'x-request-id': `fb-${c.need}` });
    expect(a.status).toBe(200);
    expect(a.headers['x-gateway-vendor']).toBe('capable');
    expect([first.hits.length, lesser.hits.length, capable.hits.length]).toEqual([1, 0, 1]);
    const [routed] = linesWith(gw.lines, 'route', `fb-${c.need}`);
    expect(routed).toMatchObject({ vendor: 'first', chain: ['first', 'capable'] });
    const excluded = (routed as unknown as { excluded: Record<string, string> }).excluded;
    expect(Object.keys(excluded)).toEqual(['lesser']);
    expect(excluded['lesser']).toMatch(c.why);
    expect(linesWith(gw.lines, 'retry', `fb-${c.need}`)).toEqual([
      expect.objectContaining({ vendor: 'capable', rule: 'fallback-chain' }),
    ]);
  });

  it.each(cases)(
    'fails rather than fall back to a model without $need when every capable one fails',
    async (c) => {
      const { lesser, gw } = await setup(c.lacks, true);
      const a = await route(gw.url, c.body);
      expect(a.status).toBe(502);
      expect(errorOf(a)).toMatchObject({ type: 'vendor_unavailable' });
      expect(a.headers['x-gateway-attempts']).toBe('2');
      expect(lesser.hits).toHaveLength(0);
      expect(gw.lines.filter((l) => l.vendor === 'lesser')).toEqual([]);
    },
  );
});
