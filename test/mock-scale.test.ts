/**
 * The mock over a few thousand generated calls, through a real socket: every bucket is large
 * enough for its indexes (leaf index, closest-call index, lazily read call files), so hits,
 * misses and a reload after an edit go through the paths a 100,000-call snapshot takes.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { replayRequest } from '../bench/calls.js';
import type { HttpRequest } from '../bench/http.js';
import { generateSnapshot } from '../bench/snapshot-gen.js';
import { startMockServer, type RunningMock } from '../proxy/mock-server.js';
import { loadSnapshot } from '../proxy/store/snapshot-store.js';
import { parseQuery, parseRoute } from '../shared/upstreams.js';
import { Matcher } from '../shared/matching/matcher.js';
import type { Call } from '../shared/schema.js';

const CALLS = 3000;
let dir = '';
let mock: RunningMock;
const calls: Call[] = [];
const files = new Map<string, string>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tapedeck-scale-'));
  await generateSnapshot(dir, CALLS, { streamEvery: 0 });
  for (const name of (await readdir(path.join(dir, 'calls'))).sort()) {
    const call = JSON.parse(await readFile(path.join(dir, 'calls', name), 'utf8')) as Call;
    calls.push(call);
    files.set(call.id, path.join(dir, 'calls', name));
  }
  mock = await startMockServer({
    dir,
    port: 0,
    timing: { mode: 'instant' },
    log: () => undefined,
  });
}, 120_000);

afterAll(async () => {
  await mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function send(req: HttpRequest) {
  const res = await request(req.url, {
    method: req.method as 'POST',
    headers: req.headers,
    body: req.body,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

/** The call's request with its prompt (its longest string) changed: matches nothing. */
function variant(call: Call, n: number): HttpRequest {
  const req = replayRequest(call, mock.url);
  const body = JSON.parse(req.body ?? '{}') as Record<string, unknown>;
  const json = JSON.stringify(body);
  const prompt = /"(Request #\d+:[^"]*)"/.exec(json)?.[1];
  if (!prompt) throw new Error(`no prompt in ${call.id}`);
  return { ...req, body: json.replace(prompt, `${prompt} (variant ${n})`) };
}

/** Finds the closest call by comparing every recorded call, from the files as they are now. */
async function reference(): Promise<(req: HttpRequest) => string | null> {
  const snapshot = await loadSnapshot(dir);
  const matcher = new Matcher(
    snapshot.calls.map(({ call }) => call),
    { closestIndexMin: Infinity },
  );
  return (req) => {
    const url = new URL(req.url);
    const route = parseRoute(url.pathname + url.search);
    if (!route) throw new Error(`not a mock route: ${req.url}`);
    const r = matcher.match({
      upstream: route.name,
      method: req.method,
      path: route.path,
      query: parseQuery(route.search),
      body: JSON.parse(req.body ?? 'null') as unknown,
    });
    if (r.kind !== 'miss') throw new Error('the reference matched a request the mock missed');
    return r.closest?.id ?? null;
  };
}

const spread = (n: number): Call[] =>
  Array.from({ length: n }, (_, i) => calls[Math.floor((i * calls.length) / n)] as Call);

describe(`mock over ${CALLS} calls`, () => {
  it('replays recorded requests with their own call', { timeout: 120_000 }, async () => {
    for (const call of spread(40)) {
      const res = await send(replayRequest(call, mock.url));
      expect(res.status).toBe(200);
      expect(res.headers['x-tapedeck-call']).toBe(call.id);
      expect(JSON.parse(res.text)).toEqual(call.response.body);
    }
  });

  it(
    'answers a miss with the closest call that comparing every call finds',
    { timeout: 120_000 },
    async () => {
      let n = 0;
      const closest = await reference();
      for (const call of spread(30)) {
        const req = variant(call, n++);
        const res = await send(req);
        expect(res.status).toBe(404);
        expect(res.headers['x-tapedeck-closest']).toBe(closest(req));
      }
    },
  );

  it(
    'after an edit and the reload, matches and misses follow the file as it is now',
    { timeout: 120_000 },
    async () => {
      const edited = calls[1234] as Call;
      const before = replayRequest(edited, mock.url);
      const text = await readFile(files.get(edited.id) as string, 'utf8');
      const prompt = /"(Request #1235:[^"]*)"/.exec(text)?.[1] as string;
      expect(prompt).toBeDefined();
      const renamed = `Edited by hand, ${prompt.length} characters long before.`;
      const reloaded = mock.reloaded();
      // The same prompt in the request and the signature: the edited call answers the new text.
      await writeFile(files.get(edited.id) as string, text.split(prompt).join(renamed));
      await reloaded;

      const after = { ...before, body: (before.body as string).split(prompt).join(renamed) };
      const hit = await send(after);
      expect(hit.status).toBe(200);
      expect(hit.headers['x-tapedeck-call']).toBe(edited.id);

      // The old text no longer matches; its closest call comes from the reloaded files.
      const closest = await reference();
      const miss = await send(before);
      expect(miss.status).toBe(404);
      expect(miss.headers['x-tapedeck-closest']).toBe(closest(before));

      const near = { ...after, body: (after.body as string).replace('Edited by hand', 'Edited') };
      const nearMiss = await send(near);
      expect(nearMiss.status).toBe(404);
      expect(nearMiss.headers['x-tapedeck-closest']).toBe(closest(near));
    },
  );
});
