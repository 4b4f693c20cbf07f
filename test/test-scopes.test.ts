/**
 * One scope per test id: created on first use, bounded (least recently used forgotten, by count
 * and by misses kept), reset alone, its positions made again for a reloaded matcher, and the
 * header that names it validated.
 */
import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Matcher, type Matchable } from '../shared/matching/matcher.js';
import { signatureOf } from '../shared/matching/signature.js';
import { MAX_TEST_ID_LENGTH, TEST_HEADER } from '../shared/test-header.js';
import type { MockEvent } from '../proxy/mock/events.js';
import { MAX_MISSES } from '../proxy/mock/stats.js';
import {
  DEFAULT_MAX_TESTS,
  TestScopes,
  testIdOf,
  type TestScope,
} from '../proxy/mock/test-scopes.js';

function event(outcome: 'hit' | 'miss', path = '/v1/chat/completions'): MockEvent {
  const base = {
    request: { id: 1, method: 'POST', upstream: 'openai', path, time: Date.UTC(2026, 0, 1) },
    status: outcome === 'hit' ? 200 : 404,
    faults: [],
    timings: { ttfbMs: 1, totalMs: 1 },
  };
  return outcome === 'hit'
    ? {
        ...base,
        outcome,
        hit: { call: 'c1', seq: 1, file: 'calls/c1.json', costUsd: null },
        costAvoidedUsd: null,
      }
    : { ...base, outcome, miss: { closest: null, diff: ['body.model: gpt-4o ≠ gpt-4o-mini'] } };
}

function missTimes(scope: TestScope, n: number): void {
  for (let i = 1; i <= n; i++) scope.add(event('miss', `/m${i}`));
}

const live = {
  upstream: 'openai',
  method: 'POST',
  path: '/v1/chat/completions',
  query: {},
  body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
};

function sequence(): Matcher<Matchable> {
  const sig = signatureOf(live);
  return new Matcher([
    { id: 'first', seq: 1, signature: sig },
    { id: 'second', seq: 2, signature: structuredClone(sig) },
  ]);
}

function hitId(m: Matcher<Matchable>, scope: TestScope): string {
  const r = m.match(live, scope.positionsFor(m));
  if (r.kind !== 'hit') throw new Error('expected a hit');
  return r.call.id;
}

describe('TestScopes', () => {
  it('creates a scope on first use and returns the same one after', () => {
    const tests = new TestScopes();
    expect(tests.has('a')).toBe(false);
    const a = tests.scope('a');
    expect(tests.has('a')).toBe(true);
    expect(tests.scope('a')).toBe(a);
    expect(tests.get('b')).toBeUndefined();
    expect(tests.has('b')).toBe(false);
    expect(tests.size).toBe(1);
  });

  it('forgets the least recently used test past its bound', () => {
    const tests = new TestScopes({ maxTests: 3 });
    const a = tests.scope('a');
    tests.scope('b');
    tests.scope('c');
    tests.scope('a');
    tests.scope('d');
    expect([tests.has('a'), tests.has('b'), tests.has('c'), tests.has('d')]).toEqual([
      true,
      false,
      true,
      true,
    ]);
    expect(tests.size).toBe(3);
    expect(tests.scope('a')).toBe(a);
  });

  it('a client sending a new id every time cannot grow it past the default bound', () => {
    const tests = new TestScopes();
    for (let i = 0; i < DEFAULT_MAX_TESTS + 500; i++) tests.scope(`random-${i}`);
    expect(tests.size).toBe(DEFAULT_MAX_TESTS);
    expect(tests.has('random-0')).toBe(false);
    expect(tests.has(`random-${DEFAULT_MAX_TESTS + 499}`)).toBe(true);
  });

  it('counts requests and unmatched, keeps the newest 200 misses in the mock’s shape', () => {
    const s = new TestScopes().scope('t');
    s.add(event('hit'));
    missTimes(s, MAX_MISSES + 50);
    expect(s.requests).toBe(MAX_MISSES + 51);
    expect(s.unmatched).toBe(MAX_MISSES + 50);
    expect(s.misses).toHaveLength(MAX_MISSES);
    expect(s.misses[0]).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      upstream: 'openai',
      method: 'POST',
      path: '/m51',
      closest: null,
      closestFile: null,
      diff: ['body.model: gpt-4o ≠ gpt-4o-mini'],
    });
  });

  it('forgets the least recently used tests when the misses kept across tests pass the bound', () => {
    const tests = new TestScopes({ maxTotalMisses: 2 * MAX_MISSES });
    missTimes(tests.scope('one'), MAX_MISSES);
    missTimes(tests.scope('two'), MAX_MISSES);
    expect([tests.has('one'), tests.has('two')]).toEqual([true, true]);
    missTimes(tests.scope('three'), 1);
    expect([tests.has('one'), tests.has('two'), tests.has('three')]).toEqual([false, true, true]);
    // A test at its own bound replaces its oldest miss: the total does not grow.
    missTimes(tests.scope('two'), 10);
    expect([tests.has('two'), tests.has('three')]).toEqual([true, true]);
  });

  it('reset forgets one test: its next request starts over; others keep their state', () => {
    const tests = new TestScopes();
    const m = sequence();
    const a = tests.scope('a');
    const b = tests.scope('b');
    expect(hitId(m, a)).toBe('first');
    expect(hitId(m, b)).toBe('first');
    a.faults.global = 7;
    missTimes(a, 3);
    expect(tests.reset('a')).toBe(true);
    expect(tests.reset('a')).toBe(false);
    expect(tests.reset('never-seen')).toBe(false);
    const again = tests.scope('a');
    expect(again).not.toBe(a);
    expect([again.requests, again.unmatched, again.misses.length, again.faults.global]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(again.startedAt).toBeGreaterThanOrEqual(a.startedAt);
    expect(hitId(m, again)).toBe('first');
    expect(hitId(m, b)).toBe('second');
    tests.clear();
    expect(tests.size).toBe(0);
  });

  it('positions are kept per matcher and made again, from the start, for a reloaded one', () => {
    const s = new TestScopes().scope('t');
    const before = sequence();
    const p = s.positionsFor(before);
    expect(s.positionsFor(before)).toBe(p);
    expect(hitId(before, s)).toBe('first');
    expect(hitId(before, s)).toBe('second');
    const after = sequence();
    const q = s.positionsFor(after);
    expect(q).not.toBe(p);
    expect(after.owns(q)).toBe(true);
    expect(hitId(after, s)).toBe('first');
  });
});

describe('testIdOf', () => {
  it('reads the header, and refuses empty, too long, unprintable and repeated ids', () => {
    expect(testIdOf({})).toEqual({ kind: 'none' });
    expect(testIdOf({ [TEST_HEADER]: 'suite > my test #1' })).toEqual({
      kind: 'test',
      id: 'suite > my test #1',
    });
    const longest = 'x'.repeat(MAX_TEST_ID_LENGTH);
    expect(testIdOf({ [TEST_HEADER]: longest })).toEqual({ kind: 'test', id: longest });
    expect(testIdOf({ [TEST_HEADER]: ['only'] })).toEqual({ kind: 'test', id: 'only' });
    for (const bad of ['', longest + 'x', 'tab\there', 'caf\u00e9', 'nul\u0000'])
      expect(testIdOf({ [TEST_HEADER]: bad }).kind).toBe('invalid');
    const twice = testIdOf({ [TEST_HEADER]: ['a', 'b'] });
    expect(twice).toEqual({ kind: 'invalid', reason: `${TEST_HEADER} was sent 2 times` });
  });

  it('a header sent twice over a real socket is refused through headersDistinct', async () => {
    const server = createServer((req, res) => res.end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    try {
      const seen = once(server, 'request') as Promise<[IncomingMessage]>;
      const sent = request({ port, host: '127.0.0.1', headers: { [TEST_HEADER]: ['a', 'b'] } });
      sent.end();
      const [req] = await seen;
      expect(testIdOf(req.headersDistinct).kind).toBe('invalid');
      const [res] = (await once(sent, 'response')) as [IncomingMessage];
      res.resume();
      await once(res, 'end');
    } finally {
      server.close();
    }
  });
});
