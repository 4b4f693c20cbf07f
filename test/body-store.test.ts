import { mkdtemp, readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseJsonFile } from '../proxy/store/parse-file.js';
import { bodyBytes, decoders, storeBody } from '../proxy/body.js';
import { sseEventBytes } from '../proxy/replay.js';
import {
  callFileName,
  initSnapshotDir,
  lastSeq,
  loadSnapshot,
  writeCallFile,
} from '../proxy/store/snapshot-store.js';
import type { Call } from '../shared/schema.js';

async function decode(buf: Buffer, encodings: string[], chunk = 7): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  const out: Buffer[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, done) {
      out.push(c);
      done();
    },
  });
  await pipeline([Readable.from(parts), ...decoders(encodings), sink]);
  return Buffer.concat(out);
}

describe('bodies', () => {
  it('stores JSON parsed, text as text, binary as base64, and gives the same bytes back', () => {
    expect(storeBody(Buffer.from('{"a":[1,2]}'), 'application/json')).toEqual({
      body: { a: [1, 2] },
    });
    expect(storeBody(Buffer.from('hello'), 'text/plain')).toEqual({ bodyText: 'hello' });
    const bin = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    expect(bodyBytes(storeBody(bin, 'application/octet-stream'))).toEqual(bin);
    expect(storeBody(Buffer.alloc(0), 'application/json')).toEqual({});
    // Not JSON despite the header: kept as text, nothing lost.
    expect(storeBody(Buffer.from('{"a":'), 'application/json')).toEqual({ bodyText: '{"a":' });
  });

  it('keeps JSON with integers beyond 2^53 as text, so a round trip cannot change them', () => {
    const text = '{"id":12345678901234567890,"s":"12345678901234567890"}';
    expect(storeBody(Buffer.from(text), 'application/json')).toEqual({ bodyText: text });
    expect(storeBody(Buffer.from('{"s":"12345678901234567890"}'), 'application/json')).toEqual({
      body: { s: '12345678901234567890' },
    });
  });

  it('decodes gzip, deflate (zlib and raw), br and zstd, in small chunks', async () => {
    const plain = Buffer.from(JSON.stringify({ text: 'x'.repeat(5000), n: 1 }));
    expect(await decode(zlib.gzipSync(plain), ['gzip'])).toEqual(plain);
    expect(await decode(zlib.deflateSync(plain), ['deflate'])).toEqual(plain);
    expect(await decode(zlib.deflateRawSync(plain), ['deflate'])).toEqual(plain);
    expect(await decode(zlib.brotliCompressSync(plain), ['br'])).toEqual(plain);
    expect(await decode(zlib.gzipSync(zlib.brotliCompressSync(plain)), ['br', 'gzip'])).toEqual(
      plain,
    );
    // A zstd frame made by the reference implementation (zstd -19 of "hello zstd\n").
    const zstdFrame = Buffer.from('KLUv/SQLWQAAaGVsbG8genN0ZApsV/lR', 'base64');
    expect((await decode(zstdFrame, ['zstd'], 3)).toString()).toBe('hello zstd\n');
  });

  it('writes SSE events the way they were parsed', () => {
    expect(sseEventBytes({ at: 1, event: 'message_start', data: '{"a":1}' }).toString()).toBe(
      'event: message_start\ndata: {"a":1}\n\n',
    );
    expect(sseEventBytes({ at: 1, data: 'line1\nline2' }).toString()).toBe(
      'data: line1\ndata: line2\n\n',
    );
    expect(sseEventBytes({ at: 1, comment: 'OPENROUTER PROCESSING' }).toString()).toBe(
      ': OPENROUTER PROCESSING\n\n',
    );
  });
});

function call(seq: number, over: Partial<Call> = {}): Call {
  return {
    id: `c_${seq}`,
    seq,
    recordedAt: '2026-01-01T00:00:00.000Z',
    upstream: 'openai',
    provider: 'openai',
    api: 'chat.completions',
    model: 'gpt-4o-mini',
    request: {
      method: 'POST',
      url: 'https://api.openai.com/v1/chat/completions',
      headers: {},
      body: { model: 'gpt-4o-mini' },
    },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body: { ok: true } },
    outcome: 'complete',
    timing: { ttfbMs: 10, totalMs: 12 },
    usage: null,
    costUsd: null,
    costSource: 'none',
    signature: {
      upstream: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
      body: { model: 'gpt-4o-mini' },
    },
    ...over,
  };
}

describe('snapshot store', () => {
  it('loads valid files and reports each bad one by name, line and reason', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-store-'));
    await initSnapshotDir(dir, 'test');
    await writeCallFile(dir, call(1));
    await writeCallFile(dir, call(2));
    await writeFile(
      path.join(dir, 'calls', '000003-broken.json'),
      '{\n  "id": "c_3",\n  "seq": 3,\n}\n',
    );
    await writeFile(
      path.join(dir, 'calls', '000004-wrong.json'),
      JSON.stringify({ ...call(4), seq: 'four' }, null, 2),
    );
    await writeFile(
      path.join(dir, 'calls', '000005-future.json'),
      JSON.stringify({ ...call(5), format: 'tapedeck/9' }),
    );
    await writeFile(path.join(dir, 'calls', '000006-dup.json'), JSON.stringify(call(1)));
    await writeFile(path.join(dir, 'calls', '000007.json.1234.tmp'), 'half a fi');

    const snap = await loadSnapshot(dir);
    expect(snap.calls.map((c) => c.call.id)).toEqual(['c_1', 'c_2']);
    const byFile = Object.fromEntries(snap.errors.map((e) => [e.file, e]));
    expect(byFile['calls/000003-broken.json']).toMatchObject({ line: 4 });
    expect(byFile['calls/000003-broken.json']?.reason).toMatch(/invalid JSON/);
    expect(byFile['calls/000004-wrong.json']).toMatchObject({ line: 3 });
    expect(byFile['calls/000004-wrong.json']?.reason).toMatch(/^seq: /);
    expect(byFile['calls/000005-future.json']?.reason).toMatch(/newer Tapedeck/);
    expect(byFile['calls/000006-dup.json']?.reason).toMatch(/duplicate id c_1/);
    expect(snap.errors).toHaveLength(4);
    expect(await lastSeq(dir)).toBe(6);
  });

  it('creates a manifest once and never rewrites it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-store-'));
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'tapedeck.json'), '{"format":"tapedeck/1","notes":"mine"}');
    await initSnapshotDir(dir, 'test');
    expect(JSON.parse(await readFile(path.join(dir, 'tapedeck.json'), 'utf8'))).toEqual({
      format: 'tapedeck/1',
      notes: 'mine',
    });
    const fresh = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-store-'));
    await Promise.all([initSnapshotDir(fresh, 'a'), initSnapshotDir(fresh, 'b')]);
    expect(JSON.parse(await readFile(path.join(fresh, 'tapedeck.json'), 'utf8')).format).toBe(
      'tapedeck/2',
    );
    expect((await readdir(fresh)).sort()).toEqual(['calls', 'tapedeck.json']);
  });

  it('names files safely and writes them whole', async () => {
    expect(
      callFileName({ seq: 1, upstream: 'openai', api: 'chat.completions', model: 'gpt-4o-mini' }),
    ).toBe('000001-openai-chat-gpt-4o-mini.json');
    expect(
      callFileName({
        seq: 12,
        upstream: 'x',
        api: 'generateContent',
        model: 'models/../../etc/passwd',
      }),
    ).toBe('000012-x-generate-models-.-.-etc-passwd.json');
    expect(callFileName({ seq: 3, upstream: 'local', api: 'http', model: null })).toBe(
      '000003-local-http.json',
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-store-'));
    await initSnapshotDir(dir, 'test');
    const rel = await writeCallFile(dir, call(9));
    const text = await readFile(path.join(dir, rel), 'utf8');
    expect(Object.keys(JSON.parse(text)).slice(0, 4)).toEqual([
      'format',
      'id',
      'seq',
      'recordedAt',
    ]);
    expect((await readdir(path.join(dir, 'calls'))).filter((n) => !n.endsWith('.json'))).toEqual(
      [],
    );
  });
});

describe('where broken JSON is broken', () => {
  it('finds the line of the bad token even when the parser names no position', () => {
    const cases: Array<[string, number]> = [
      ['{\n  "id": "c",\n  "recordedAt": oops }\n', 3],
      ['{\n "a": 1,\n "b": x\n}', 3],
      ['{\n"a":\n [1,2,,3]\n}', 3],
      ['{\n  "id": "c_3",\n  "seq": 3,\n}\n', 4],
      ['{"a": "b"\n"c": 1}', 2],
      ['{\n  "a": 1\n', 3],
    ];
    for (const [text, line] of cases) {
      const r = parseJsonFile(text, 'f.json', z.unknown());
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.error.line, text).toBe(line);
    }
  });
});
