/**
 * Record and replay turn body bytes into the compared value the same way: the very bytes recorded
 * by `tapedeck record` and sent again to `tapedeck mock` always hit, whatever those bytes are —
 * integers beyond 2^53 (kept as text so they cannot change), a content type in capitals, bytes
 * that are not UTF-8 under a JSON content type.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodyForMatching, liveBody, storeBody } from '../proxy/body.js';
import type { Call } from '../shared/schema.js';
import { assertBuilt, startCli, type RunningCli } from './support/cli.js';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.js';

const running: RunningCli[] = [];
const cleanups: Array<() => Promise<void>> = [];

beforeAll(() => assertBuilt());

afterEach(async () => {
  for (const cli of running.splice(0))
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  for (const c of cleanups.splice(0).reverse()) await c();
});

function post(
  url: string,
  body: Buffer,
  contentType: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': contentType }, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Case {
  name: string;
  path: string;
  contentType: string;
  body: Buffer;
}

const CASES: Case[] = [
  {
    name: 'an integer above 2^53',
    path: '/v1/chat/completions',
    contentType: 'application/json',
    body: Buffer.from(
      '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"seed":12345678901234567890}',
    ),
  },
  {
    name: 'a negative one deep in an array',
    path: '/v1/chat/completions',
    contentType: 'application/json',
    body: Buffer.from('{"model":"gpt-4o-mini","ids":[1,[-98765432109876543210]]}'),
  },
  {
    name: 'a JSON string under a content type in capitals',
    path: '/v1/echo',
    contentType: 'Application/JSON; charset=utf-8',
    body: Buffer.from('"just a string"'),
  },
  {
    name: 'bytes that are not UTF-8 under a JSON content type',
    path: '/v1/echo',
    contentType: 'application/json',
    body: Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
  },
  {
    name: 'JSON after white space, sent as text',
    path: '/v1/echo',
    contentType: 'text/plain',
    body: Buffer.from('  {"a":1}'),
  },
];

describe('the same bytes recorded and replayed', () => {
  it('hit, for every kind of body', async () => {
    const upstream: FakeUpstream = await startFakeUpstream();
    cleanups.push(() => upstream.close());
    const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-roundtrip-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));

    const recorder = await startCli([
      'record',
      dir,
      '--port',
      '0',
      '--upstream',
      `local=${upstream.url}`,
    ]);
    running.push(recorder);
    const recorded: number[] = [];
    for (const c of CASES) {
      const r = await post(`${recorder.url}/local${c.path}`, c.body, c.contentType);
      recorded.push(r.status);
    }
    expect(await recorder.stop()).toEqual({ code: 0, signal: null });

    const names = (await readdir(path.join(dir, 'calls')))
      .filter((n) => n.endsWith('.json'))
      .sort();
    expect(names).toHaveLength(CASES.length);
    const first = JSON.parse(await readFile(path.join(dir, 'calls', names[0]!), 'utf8')) as Call;
    // Stored as text, so the digits on disk are the digits that were sent.
    expect(first.request.bodyText).toBe(CASES[0]!.body.toString('utf8'));
    expect(first.request.body).toBeUndefined();

    const mock = await startCli(['mock', dir, '--port', '0', '--timing', 'instant']);
    running.push(mock);
    for (const [i, c] of CASES.entries()) {
      const r = await post(`${mock.url}/local${c.path}`, c.body, c.contentType);
      expect(r.headers['x-tapedeck-call'], `${c.name}: ${r.text}`).toBeDefined();
      expect(r.status, c.name).toBe(recorded[i]);
    }
    // Different digits are a different request: text comparison does not round them away.
    const other = Buffer.from(CASES[0]!.body.toString('utf8').replace('567890}', '567891}'));
    const miss = await post(`${mock.url}/local${CASES[0]!.path}`, other, 'application/json');
    expect(miss.status).toBe(404);
    expect(miss.headers['x-tapedeck-call']).toBeUndefined();
    expect(await mock.stop()).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe('the value a body is compared as', () => {
  it('is text only for integer literals beyond 2^53; large floats and digit strings stay parsed', () => {
    const cases: Array<[string, 'text' | 'json']> = [
      ['{"n":9007199254740991}', 'json'],
      ['{"n":9007199254740993}', 'text'],
      ['{"n":-9007199254740993}', 'text'],
      ['[[[{"n":[1,12345678901234567890]}]]]', 'text'],
      ['{"n":1e300}', 'json'],
      ['{"n":1.5e300}', 'json'],
      ['{"n":12345678901234567890.5}', 'json'],
      ['{"s":"12345678901234567890"}', 'json'],
      ['{"s":"\\"12345678901234567890"}', 'json'],
    ];
    for (const [text, kind] of cases) {
      const stored = storeBody(Buffer.from(text), 'application/json');
      expect(Object.keys(stored), text).toEqual([kind === 'text' ? 'bodyText' : 'body']);
      // The mock's value for the same bytes is the recorder's.
      expect(liveBody(Buffer.from(text), 'application/json'), text).toEqual(
        bodyForMatching(stored),
      );
    }
  });
});
