/** Which upstream an SDK's full URL belongs to, for the in-process mock. */
import { describe, expect, it } from 'vitest';
import { BUILTIN_UPSTREAMS, routeOfUrl } from '../shared/upstreams.js';

const ups = { ...BUILTIN_UPSTREAMS, local: 'http://127.0.0.1:9999/llm/v1' };

describe('routeOfUrl', () => {
  it("finds each provider's real host as its built-in upstream", () => {
    expect(routeOfUrl('https://api.openai.com/v1/chat/completions', ups)).toEqual({
      name: 'openai',
      path: '/v1/chat/completions',
      search: '',
    });
    expect(routeOfUrl('https://api.anthropic.com/v1/messages?beta=true', ups)).toEqual({
      name: 'anthropic',
      path: '/v1/messages',
      search: '?beta=true',
    });
    expect(
      routeOfUrl(
        'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
        ups,
      ),
    ).toMatchObject({ name: 'gemini', search: '?alt=sse' });
    expect(routeOfUrl('https://api.x.ai/v1/chat/completions', ups)?.name).toBe('xai');
  });

  it('takes the path after a base URL that has one, and only under it', () => {
    expect(routeOfUrl('https://openrouter.ai/api/v1/chat/completions', ups)).toEqual({
      name: 'openrouter',
      path: '/v1/chat/completions',
      search: '',
    });
    expect(routeOfUrl('https://openrouter.ai/apiv1/chat', ups)).toBeNull();
    expect(routeOfUrl('http://127.0.0.1:9999/llm/v1/chat/completions', ups)).toMatchObject({
      name: 'local',
      path: '/chat/completions',
    });
  });

  it("reads Tapedeck's own /NAME/PATH form on any host, for known names only", () => {
    expect(routeOfUrl('http://tapedeck.test/openai/v1/responses', ups)).toEqual({
      name: 'openai',
      path: '/v1/responses',
      search: '',
    });
    expect(routeOfUrl('http://tapedeck.test/nobody/v1/responses', ups)).toBeNull();
    expect(routeOfUrl('http://localhost:3000/api/users', ups)).toBeNull();
    expect(routeOfUrl('not a url', ups)).toBeNull();
  });

  it('answers the same for a URL seen before', () => {
    const href = 'https://api.openai.com/v1/embeddings';
    expect(routeOfUrl(href, ups)).toEqual(routeOfUrl(href, ups));
  });
});
