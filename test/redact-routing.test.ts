import { describe, expect, it } from 'vitest';
import { REDACTED, redactHeaders, redactUrl } from '../shared/redact.js';
import { parseQuery, parseRoute, parseUpstreamFlag, upstreamUrl } from '../shared/upstreams.js';

describe('redaction', () => {
  it('redacts every credential header, known or credential-looking, and keeps the rest', () => {
    const out = redactHeaders(
      {
        authorization: 'Bearer sk-live-123',
        'x-api-key': 'sk-ant-123',
        'x-goog-api-key': 'AIza123',
        'api-key': 'azure-123',
        cookie: 'session=1',
        'openai-organization': 'org-1',
        'x-portkey-api-key': 'pk-1',
        'x-custom-token': 't-1',
        'x-tenant': 'acme',
        'content-type': 'application/json',
      },
      ['X-Tenant'],
    );
    for (const k of [
      'authorization',
      'x-api-key',
      'x-goog-api-key',
      'api-key',
      'cookie',
      'openai-organization',
      'x-portkey-api-key',
      'x-custom-token',
      'x-tenant',
    ]) {
      expect(out[k], k).toBe(REDACTED);
    }
    expect(out['content-type']).toBe('application/json');
  });

  it('redacts key-like query parameters and leaves the others byte for byte', () => {
    expect(
      redactUrl('https://g.example/v1beta/models/m:streamGenerateContent?alt=sse&key=AIzaSECRET'),
    ).toBe('https://g.example/v1beta/models/m:streamGenerateContent?alt=sse&key=%5BREDACTED%5D');
    expect(redactUrl('https://x.example/a?api_key=s1&x=%20y#frag')).toBe(
      'https://x.example/a?api_key=%5BREDACTED%5D&x=%20y#frag',
    );
    expect(redactUrl('https://x.example/a')).toBe('https://x.example/a');
    expect(redactUrl('https://x.example/a?%zz=1&token=abc')).toBe(
      'https://x.example/a?%zz=1&token=%5BREDACTED%5D',
    );
  });
});

describe('routing', () => {
  it('splits /NAME/REST?Q and joins it onto the upstream base', () => {
    const r = parseRoute('/openrouter/v1/chat/completions?x=1');
    expect(r).toEqual({ name: 'openrouter', path: '/v1/chat/completions', search: '?x=1' });
    expect(upstreamUrl('https://openrouter.ai/api', r!)).toBe(
      'https://openrouter.ai/api/v1/chat/completions?x=1',
    );
    expect(parseRoute('/gemini')).toEqual({ name: 'gemini', path: '/', search: '' });
    expect(parseRoute('/')).toBeNull();
  });

  it('parses --upstream flags and refuses bad ones with a readable message', () => {
    expect(parseUpstreamFlag('groq=https://api.groq.com/openai/')).toEqual([
      'groq',
      'https://api.groq.com/openai',
    ]);
    expect(() => parseUpstreamFlag('groq')).toThrow(/NAME=URL/);
    expect(() => parseUpstreamFlag('__tapedeck=http://x')).toThrow(/not a valid upstream name/);
    expect(() => parseUpstreamFlag('a=ftp://x')).toThrow(/http and https/);
    expect(() => parseUpstreamFlag('a=not a url')).toThrow(/not a URL/);
  });

  it('keeps repeated query parameters as arrays', () => {
    expect(parseQuery('?a=1&b=2&a=3')).toEqual({ a: ['1', '3'], b: '2' });
    expect(parseQuery('')).toEqual({});
  });
});
