/** `--inbound PORT=URL` parsing and the names of inbound files (shared/inbound.ts). */
import { describe, expect, it } from 'vitest';
import {
  inboundFileName,
  inboundSeqOf,
  inboundTargetUrl,
  parseInboundFlag,
  parseInboundFlags,
} from '../shared/inbound.js';

describe('--inbound PORT=URL', () => {
  it('takes a port and a base URL, without its trailing slashes', () => {
    expect(parseInboundFlag('4143=http://127.0.0.1:8000')).toEqual({
      port: 4143,
      target: 'http://127.0.0.1:8000',
    });
    expect(parseInboundFlag('0=https://app.internal/api//')).toEqual({
      port: 0,
      target: 'https://app.internal/api',
    });
    expect(inboundTargetUrl('https://app.internal/api', '/v1/route?x=1')).toBe(
      'https://app.internal/api/v1/route?x=1',
    );
  });

  it.each([
    ['nope', /wants PORT=URL/],
    ['=http://x', /wants PORT=URL/],
    ['70000=http://x', /not a port from 0 to 65535/],
    ['-1=http://x', /not a port/],
    ['41.5=http://x', /not a port/],
    ['4143=not a url', /is not a URL/],
    ['4143=ftp://x', /only http and https/],
    ['4143=http://x/?a=1', /without a query/],
  ])('refuses %s', (flag, reason) => {
    expect(() => parseInboundFlag(flag)).toThrow(reason);
  });

  it('refuses one port given twice, but not two fronts on any free port', () => {
    expect(() => parseInboundFlags(['4143=http://a', '4143=http://b'])).toThrow(/given twice/);
    expect(parseInboundFlags(['0=http://a', '0=http://b'])).toHaveLength(2);
  });
});

describe('inbound file names', () => {
  it('are seq, method and a slug of the path without its query', () => {
    const name = (seq: number, method: string, path: string) =>
      inboundFileName({ seq, request: { method, path } });
    expect(name(3, 'POST', '/v1/route?api-key=%5BREDACTED%5D')).toBe('000003-POST-v1-route.json');
    expect(name(12, 'get', '/')).toBe('000012-GET-root.json');
    expect(name(1, 'GET', '/Users/%C3%A9t%C3%A9/../x')).toBe(
      '000001-GET-users-c3-a9t-c3-a9-x.json',
    );
    expect(name(1, 'M-SEARCH', '/' + 'a/'.repeat(100))).toMatch(/^000001-MSEARCH-(a-)*a\.json$/);
    expect(inboundSeqOf('000042-GET-root.json')).toBe(42);
    expect(inboundSeqOf('notes.json')).toBeNull();
  });
});
