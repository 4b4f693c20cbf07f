/**
 * Real provider traffic that nobody here wrote (../shared/corpus, VCR cassettes) goes through the
 * recorder and back out of the mock: every interaction must be forwarded intact, land in one call
 * file with the provider's own usage and no credentials, and replay to the same reply.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import zlib from 'node:zlib';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { startMockServer } from '../proxy/mock-server.js';
import { startRecordServer } from '../proxy/record-server.js';
import { serializeCall } from '../proxy/store/snapshot-store.js';
import { Redactor } from '../shared/redact.js';
import type { Call } from '../shared/schema.js';
import { startCassetteUpstream } from './support/cassette-upstream.js';
import { loadCassettes, type Cassette, type Interaction } from './support/corpus-cassettes.js';
import { familyOfBody, familyOfPath, providerUsage } from './support/corpus-usage.js';
import { listFiles, readCalls, secretsOnDisk } from './support/snapshot-files.js';
import { parseSse } from './support/sse.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const corpusDir = path.resolve(repoRoot, '../shared/corpus');
const corpusPresent = existsSync(corpusDir);
if (!corpusPresent) {
  console.warn(
    `corpus-conformance: skipped, no corpus at ${corpusDir} (it sits beside the repository as ../shared/corpus; a plain clone has none)`,
  );
}
const cassettes: Cassette[] = corpusPresent ? loadCassettes(corpusDir) : [];

/** Hosts the built-in upstream names stand for, and the path prefix their base URL already has. */
const BUILTIN_HOSTS: Record<string, { name: string; prefix: string }> = {
  'api.openai.com': { name: 'openai', prefix: '' },
  'api.anthropic.com': { name: 'anthropic', prefix: '' },
  'generativelanguage.googleapis.com': { name: 'gemini', prefix: '' },
  'api.x.ai': { name: 'xai', prefix: '' },
  'openrouter.ai': { name: 'openrouter', prefix: '/api' },
};

interface Route {
  name: string;
  prefix: string;
  /** Path after the upstream name, as the client sends it to Tapedeck. */
  path: string;
}

function routeOf(url: URL): Route {
  const known = BUILTIN_HOSTS[url.host];
  if (known && url.pathname.startsWith(known.prefix + '/')) {
    return { ...known, path: url.pathname.slice(known.prefix.length) };
  }
  // Hosts without a built-in name get one of their own, registered with --upstream semantics.
  return { name: url.host.replace(/[^A-Za-z0-9]+/g, '-'), prefix: '', path: url.pathname };
}

/** Headers the client would not send as recorded: framing, the old host, and the stripped auth. */
const UNSENT = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'authorization',
  'x-api-key',
  'x-goog-api-key',
]);

function credentialHeader(name: string): string {
  if (name === 'anthropic') return 'x-api-key';
  if (name === 'gemini') return 'x-goog-api-key';
  return 'authorization';
}

function credentialValue(header: string, secret: string): string {
  return header === 'authorization' ? `Bearer ${secret}` : secret;
}

function requestHeaders(ix: Interaction, route: Route, secret: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of ix.request.headers) {
    const lower = name.toLowerCase();
    if (!UNSENT.has(lower)) (out[lower] ??= []).push(value);
  }
  const cred = credentialHeader(route.name);
  out[cred] = [credentialValue(cred, secret)];
  return out;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

async function send(base: string, ix: Interaction, route: Route, secret: string): Promise<Reply> {
  const res = await request(`${base}/${route.name}${route.path}${ix.request.url.search}`, {
    method: ix.request.method,
    headers: requestHeaders(ix, route, secret),
    body: ix.request.body,
  });
  return {
    status: res.statusCode,
    headers: res.headers,
    body: Buffer.from(await res.body.arrayBuffer()),
  };
}

function decoded(reply: Reply): Buffer | string {
  const encoding = reply.headers['content-encoding'];
  if (encoding === undefined || encoding === 'identity') return reply.body;
  if (encoding === 'gzip') return zlib.gunzipSync(reply.body);
  if (encoding === 'br') return zlib.brotliDecompressSync(reply.body);
  if (encoding === 'deflate') return zlib.inflateSync(reply.body);
  return `content-encoding ${String(encoding)} cannot be decoded here`;
}

function json(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function clip(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

/** A text body as the recorder stores it; bytes that are not UTF-8 are stored (and kept) as is. */
function redactedText(bytes: Buffer, redactor: Redactor): Buffer {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes;
  }
  return Buffer.from(redactor.text(text), 'utf8');
}

/**
 * Why a reply differs from the recorded one, or null when a client would see the same thing.
 * `replayed`: the reply came from the snapshot, so secrets in it are `[REDACTED]` (an OAuth token
 * response's `access_token`, say) and are compared as the recorder stores them.
 */
function replyDiff(ix: Interaction, reply: Reply, replayed: boolean): string | null {
  const want = ix.response;
  if (reply.status !== want.status)
    return `status ${reply.status}, recorded ${want.status}: ${clip(reply.body.toString())}`;
  const body = decoded(reply);
  if (typeof body === 'string') return body;
  const redactor = Redactor.builtin;
  if (want.sse) {
    const shape = (t: string) =>
      parseSse(t).map((e) => ({
        event: e.event,
        data: replayed && e.data !== undefined ? redactor.streamData(e.data) : e.data,
      }));
    const expected = shape(want.body.toString('utf8'));
    const got = shape(body.toString('utf8'));
    if (isDeepStrictEqual(got, expected)) return null;
    const at = expected.findIndex((e, i) => !isDeepStrictEqual(e, got[i]));
    return `SSE differs: ${got.length} events, recorded ${expected.length}; first difference at #${at}: ${clip(got[at])} vs ${clip(expected[at])}`;
  }
  const recordedJson = json(want.body);
  if (recordedJson !== undefined) {
    const expectedJson = replayed ? redactor.responseBody(recordedJson) : recordedJson;
    return isDeepStrictEqual(json(body), expectedJson)
      ? null
      : `JSON body differs: ${clip(body.toString('utf8'))}`;
  }
  const expectedBytes = replayed ? redactedText(want.body, redactor) : want.body;
  return body.equals(expectedBytes)
    ? null
    : `body bytes differ: ${body.length} bytes, recorded ${want.body.length}`;
}

/**
 * Why the replayed bytes differ from the recorded ones, or null when they are the same byte for
 * byte; `redacted` when the recorder had to change the reply (a secret in it), so there are no
 * original bytes to expect and the value comparison above is what holds.
 */
function bytesDiff(ix: Interaction, reply: Reply): string | null | 'redacted' {
  const want = ix.response;
  const body = decoded(reply);
  if (typeof body === 'string') return body;
  const redactor = Redactor.builtin;
  if (want.sse) {
    const events = parseSse(want.body.toString('utf8'));
    if (events.some((e) => redactor.streamData(e.data) !== e.data)) return 'redacted';
  } else {
    const recordedJson = json(want.body);
    if (recordedJson !== undefined) {
      if (!isDeepStrictEqual(redactor.responseBody(recordedJson), recordedJson)) return 'redacted';
    } else if (!redactedText(want.body, redactor).equals(want.body)) return 'redacted';
  }
  if (body.equals(want.body)) return null;
  let at = 0;
  while (at < body.length && body[at] === want.body[at]) at++;
  const around = (b: Buffer) =>
    JSON.stringify(b.subarray(Math.max(0, at - 20), at + 30).toString());
  return `replayed bytes differ from the recorded ones: ${body.length} bytes, recorded ${want.body.length}; first difference at byte ${at}: ${around(body)} vs ${around(want.body)}`;
}

/** How many bytes of a call file the byte-exact formats take. */
function formatBytes(call: Call): number {
  const { bodyFormat: _b, streamFormat: _s, ...response } = call.response;
  if (response.stream) response.stream = response.stream.map(({ raw: _r, ...e }) => e);
  return serializeCall(call).length - serializeCall({ ...call, response }).length;
}

/** The stored usage must be the provider's own numbers wherever the reply reports them. */
function usageDiff(ix: Interaction, route: Route, call: Call): string | null {
  const text = ix.response.body.toString('utf8');
  const family = familyOfPath(route.path);
  if (family === null && call.usage?.source !== 'provider') return null;
  const reading = family ?? familyOfBody(text, ix.response.sse);
  const expected = reading ? providerUsage(reading, text, ix.response.sse) : null;
  if (expected === null) {
    return call.usage?.source === 'provider'
      ? `usage ${clip(call.usage)} stored, but the reply reports none`
      : null;
  }
  const want = { ...expected, source: 'provider' };
  return isDeepStrictEqual(call.usage, want)
    ? null
    : `usage ${clip(call.usage)}, expected ${clip(want)}`;
}

interface CassetteResult {
  interactions: number;
  passed: number;
  /** Replays byte-identical to the recording, and those the recorder had to redact. */
  byteExact: number;
  redacted: number;
  /** Total size of the call files written, to keep the growth of the format in view. */
  fileBytes: number;
  /** Of which the byte-exact formats (bodyFormat, streamFormat, events' raw). */
  formatBytes: number;
  problems: string[];
}

const results = new Map<string, CassetteResult>();

async function runCassette(cassette: Cassette): Promise<CassetteResult> {
  const interactions = cassette.interactions;
  const routes = interactions.map((ix) => routeOf(ix.request.url));
  const failed = new Map<number, string[]>();
  const bytes = { exact: 0, redacted: 0, files: 0, formats: 0 };
  const problem = (i: number, what: string) => {
    const ix = interactions[i];
    const list = failed.get(i) ?? [];
    list.push(`#${i} ${ix?.request.method} ${ix?.request.url.pathname}: ${what}`);
    failed.set(i, list);
  };
  const recordSecrets = interactions.map(
    () => `sk-corpus-${randomBytes(6).toString('hex')}-SECRET`,
  );
  const replaySecrets = interactions.map(() => `sk-replay-${randomBytes(6).toString('hex')}-OTHER`);
  const cookies = interactions.flatMap((ix) =>
    ix.request.headers.filter(([k]) => k.toLowerCase() === 'cookie').map(([, v]) => v),
  );

  const upstream = await startCassetteUpstream(interactions);
  const upstreams: Record<string, string> = {};
  for (const r of routes) upstreams[r.name] = upstream.url + r.prefix;
  const dir = await mkdtemp(path.join(tmpdir(), 'tapedeck-corpus-'));
  const quiet = (): void => undefined;
  try {
    const recorder = await startRecordServer({ dir, port: 0, upstreams, log: quiet });
    try {
      for (const [i, ix] of interactions.entries()) {
        const route = routes[i]!;
        const reply = await send(recorder.url, ix, route, recordSecrets[i]!);
        const diff = replyDiff(ix, reply, false);
        if (diff) problem(i, `while recording: ${diff}`);
        const arrived = upstream.arrived[i];
        if (!arrived) {
          problem(i, 'never reached the upstream');
          continue;
        }
        const sentPath = ix.request.url.pathname + ix.request.url.search;
        if (arrived.method !== ix.request.method || arrived.url !== sentPath) {
          problem(
            i,
            `upstream got ${arrived.method} ${arrived.url}, expected ${ix.request.method} ${sentPath}`,
          );
        }
        if (!arrived.body.equals(ix.request.body ?? Buffer.alloc(0))) {
          problem(
            i,
            `upstream got a ${arrived.body.length}-byte body, sent ${ix.request.body?.length ?? 0} bytes`,
          );
        }
        const cred = credentialHeader(route.name);
        if (arrived.headers[cred] !== credentialValue(cred, recordSecrets[i]!)) {
          problem(i, `the ${cred} credential did not reach the upstream`);
        }
      }
    } finally {
      await recorder.close();
    }

    const calls = await readCalls(dir);
    if (calls.length !== interactions.length) {
      for (const i of interactions.keys())
        problem(i, `${calls.length} call files for ${interactions.length} interactions`);
      return summarize(interactions.length, failed, bytes);
    }
    for (const [i, call] of calls.entries()) {
      const ix = interactions[i]!;
      if (call.upstream !== routes[i]!.name)
        problem(i, `call upstream ${call.upstream}, expected ${routes[i]!.name}`);
      if (call.outcome !== 'complete') problem(i, `outcome ${call.outcome}`);
      if (call.response.status !== ix.response.status)
        problem(i, `stored status ${call.response.status}`);
      if (ix.response.sse !== (call.response.stream !== undefined))
        problem(i, `stored as ${call.response.stream ? 'a stream' : 'a body'}`);
      const usage = usageDiff(ix, routes[i]!, call);
      if (usage) problem(i, usage);
    }
    for (const file of await listFiles(path.join(dir, 'calls')))
      bytes.files += (await stat(file)).size;
    for (const call of calls) bytes.formats += formatBytes(call);
    for (const leak of await secretsOnDisk(dir, [...recordSecrets, ...cookies])) {
      problem(0, `credential on disk: ${clip(leak)}`);
    }

    const mock = await startMockServer({
      dir,
      port: 0,
      timing: { mode: 'instant' },
      upstreams,
      log: quiet,
    });
    try {
      if (mock.loadErrors.length > 0) problem(0, `mock load errors: ${clip(mock.loadErrors)}`);
      for (const [i, ix] of interactions.entries()) {
        const reply = await send(mock.url, ix, routes[i]!, replaySecrets[i]!);
        const diff = replyDiff(ix, reply, true);
        if (diff)
          problem(
            i,
            `on replay: ${diff} (closest: ${String(reply.headers['x-tapedeck-closest'])})`,
          );
        const exact = bytesDiff(ix, reply);
        if (exact === null) bytes.exact++;
        else if (exact === 'redacted') bytes.redacted++;
        else problem(i, `on replay: ${exact}`);
        const hit = reply.headers['x-tapedeck-call'];
        if (hit !== calls[i]!.id)
          problem(i, `replayed from call ${String(hit)}, expected ${calls[i]!.id}`);
        if (reply.headers['content-encoding'] !== undefined) {
          problem(
            i,
            `replay carries content-encoding ${String(reply.headers['content-encoding'])}`,
          );
        }
      }
      if (mock.unmatched !== 0) problem(0, `${mock.unmatched} replayed requests went unmatched`);
    } finally {
      await mock.close();
    }
    if (upstream.arrived.length !== interactions.length) {
      problem(
        0,
        `the upstream saw ${upstream.arrived.length} requests; the replay must not reach it`,
      );
    }
    return summarize(interactions.length, failed, bytes);
  } finally {
    await upstream.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function summarize(
  count: number,
  failed: Map<number, string[]>,
  bytes: { exact: number; redacted: number; files: number; formats: number },
): CassetteResult {
  return {
    interactions: count,
    passed: count - failed.size,
    byteExact: bytes.exact,
    redacted: bytes.redacted,
    fileBytes: bytes.files,
    formatBytes: bytes.formats,
    problems: [...failed.values()].flat(),
  };
}

describe.skipIf(!corpusPresent)(
  'corpus conformance: record and replay real provider traffic',
  () => {
    afterAll(() => {
      // Totals come from the corpus, so a cassette that threw counts as failed, not as absent.
      const interactions = cassettes.reduce((n, c) => n + c.interactions.length, 0);
      const all = [...results.values()];
      const passed = all.reduce((n, r) => n + r.passed, 0);
      const clean = all.filter((r) => r.problems.length === 0).length;
      const exact = all.reduce((n, r) => n + r.byteExact, 0);
      const redacted = all.reduce((n, r) => n + r.redacted, 0);
      const fileBytes = all.reduce((n, r) => n + r.fileBytes, 0);
      const formats = all.reduce((n, r) => n + r.formatBytes, 0);
      console.log(
        `corpus conformance: ${clean}/${cassettes.length} cassettes and ${passed}/${interactions} interactions pass, none excluded\n` +
          `  byte-exact replay: ${exact}/${interactions - redacted} interactions (${redacted} redacted by the recorder, compared by value)\n` +
          `  call files: ${fileBytes} bytes in all, ${formats} of them byte-exact formats\n` +
          `  (corpus ${corpusDir})`,
      );
    });

    it('finds the corpus', () => {
      expect(cassettes.length).toBeGreaterThan(200);
      for (const c of cassettes) expect(c.interactions.length, c.name).toBeGreaterThan(0);
    });

    describe.concurrent('cassettes', () => {
      for (const cassette of cassettes) {
        it(cassette.name, async () => {
          const result = await runCassette(cassette);
          results.set(cassette.name, result);
          expect(result.problems).toEqual([]);
        });
      }
    });
  },
);
