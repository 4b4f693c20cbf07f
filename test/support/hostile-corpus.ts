/**
 * A snapshot folder where 100 valid calls sit beside 100 hostile files (R10): nesting far past the
 * depth limit, bad `$regex` and ignore paths, FIFOs, symlinks to /dev/zero, a folder and a socket
 * named `*.json`, files past the size limit, binary garbage, JSON of the wrong shape. Every loader
 * must report each hostile file by name and load every valid call.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_JSON_DEPTH, MAX_SNAPSHOT_FILE_BYTES } from '../../shared/limits.js';
import { signatureOf } from '../../shared/matching/signature.js';
import type { Call } from '../../shared/schema.js';
import { serializeCall } from '../../proxy/store/snapshot-store.js';

export interface ValidCall {
  file: string;
  id: string;
  /** The request body, exactly as a client sends it to match this call. */
  body: string;
  /** The reply's `choices[0].message.content`. */
  answer: string;
}

export interface HostileFile {
  /** Relative to the folder: `calls/h017-fifo.json`, `scenarios/h098-deep.json`. */
  file: string;
  /** What the reason given for it must say. */
  reason: RegExp;
}

export interface HostileCorpus {
  dir: string;
  valid: ValidCall[];
  hostile: HostileFile[];
}

const NOT_REGULAR = /not a regular file/;
const TOO_DEEP = new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`);
const BAD_REGEX = /invalid \$regex/;
const BAD_IGNORE = /invalid ignore path/;
const INVALID_JSON = /invalid JSON/;
const TOO_LARGE = /^is \d+ bytes, over the limit of \d+ bytes/;
const UNREADABLE = /cannot read/;
const EMPTY = /empty/;
const ANY_REASON = /\S/;

/** `[[[…]]]` or `{"a":{"a":…}}`, `depth` levels, built as text (a recursive stringify would overflow). */
export function nestedText(depth: number, shape: 'array' | 'object' = 'array'): string {
  return shape === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
}

/** The request body of valid call `i`; call 100 nests exactly MAX_JSON_DEPTH levels, the most allowed. */
function validBody(i: number): unknown {
  const body: Record<string, unknown> = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: `valid prompt ${i}` }],
  };
  if (i === 100) {
    // The body object is level 1, `deep` level 2, so MAX_JSON_DEPTH - 1 more levels below it.
    let deep: unknown = [];
    for (let d = 2; d < MAX_JSON_DEPTH; d++) deep = [deep];
    body['deep'] = deep;
  }
  return body;
}

export function callOf(id: string, seq: number, body: unknown, answer: string): Call {
  return {
    format: 'tapedeck/1',
    id,
    seq,
    recordedAt: '2026-12-01T00:00:00.000Z',
    upstream: 'openai',
    provider: 'openai',
    api: 'chat.completions',
    model: 'gpt-4o-mini',
    outcome: 'complete',
    request: {
      method: 'POST',
      url: 'https://api.openai.com/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      body,
    },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        id: `chatcmpl-${id}`,
        object: 'chat.completion',
        model: 'gpt-4o-mini',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: answer },
            finish_reason: 'stop',
          },
        ],
      },
    },
    timing: { ttfbMs: 5, totalMs: 6 },
    usage: null,
    costUsd: null,
    costSource: 'none',
    signature: signatureOf({
      upstream: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
      query: {},
      body,
    }),
  };
}

/** A call file's text with `raw` spliced in as the value at `where` (text, so it may nest anything). */
function withRaw(
  n: number,
  where: 'signature.body' | 'signature.query' | 'request.body' | 'response.body',
  raw: string,
): string {
  const marker = '"__RAW__"';
  const call = callOf(
    `c_hostile_${n}`,
    1000 + n,
    { model: 'gpt-4o-mini' },
    'x',
  ) as unknown as Record<string, Record<string, unknown>>;
  const [outer, inner] = where.split('.') as [string, string];
  (call[outer] as Record<string, unknown>)[inner] = '__RAW__';
  return JSON.stringify(call).replace(marker, raw);
}

/** A call file whose signature is `sig` (merged over a recorded one). */
function withSignature(n: number, sig: Record<string, unknown>): string {
  const call = callOf(`c_hostile_${n}`, 1000 + n, { model: 'gpt-4o-mini' }, 'x');
  return JSON.stringify({ ...call, signature: { ...call.signature, ...sig } }, null, 2);
}

/** A valid call changed by `edit`, as text. */
function edited(n: number, edit: (c: Record<string, unknown>) => void): string {
  const call = callOf(
    `c_hostile_${n}`,
    1000 + n,
    { model: 'gpt-4o-mini' },
    'x',
  ) as unknown as Record<string, unknown>;
  edit(call);
  return JSON.stringify(call, null, 2);
}

type Maker = (abs: string, n: number, root: string) => Promise<void>;

const text =
  (make: (n: number) => string | Buffer): Maker =>
  (abs, n) =>
    writeFile(abs, make(n));

const fifo: Maker = async (abs) => {
  execFileSync('mkfifo', [abs]);
};

const link =
  (target: string): Maker =>
  (abs) =>
    symlink(target, abs);

/** A file of `size` bytes that takes no disk space. */
const sparse =
  (size: number): Maker =>
  async (abs) => {
    const fh = await open(abs, 'w');
    await fh.truncate(size);
    await fh.close();
  };

/** A Unix socket left on disk by a process that exited without closing it. */
const socket: Maker = async (abs) => {
  execFileSync(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(abs)}, () => process.exit(0))`,
  ]);
};

interface Kind {
  name: string;
  reason: RegExp;
  make: Maker;
  /** Where the file goes; calls/ unless said. */
  dir?: 'calls' | 'scenarios';
}

function kinds(): Kind[] {
  const list: Kind[] = [];
  const add = (name: string, reason: RegExp, make: Maker, dir?: 'calls' | 'scenarios') =>
    list.push({ name, reason, make, ...(dir ? { dir } : {}) });

  // Nesting past the limit, in every part that holds free-form JSON.
  for (const depth of [MAX_JSON_DEPTH + 1, 5000, 20_000, 100_000])
    add(
      `deep-sig-body-${depth}`,
      TOO_DEEP,
      text((n) => withRaw(n, 'signature.body', nestedText(depth))),
    );
  for (const depth of [5000, 50_000])
    add(
      `deep-sig-body-object-${depth}`,
      TOO_DEEP,
      text((n) => withRaw(n, 'signature.body', nestedText(depth, 'object'))),
    );
  add(
    'deep-sig-query',
    TOO_DEEP,
    text((n) => withRaw(n, 'signature.query', `{"q":${nestedText(5000)}}`)),
  );
  add(
    'deep-sig-literal',
    TOO_DEEP,
    text((n) => withRaw(n, 'signature.body', `{"$literal":${nestedText(10_000)}}`)),
  );
  add(
    'deep-sig-inside-messages',
    TOO_DEEP,
    text((n) =>
      withRaw(n, 'signature.body', `{"model":"m","messages":[{"content":${nestedText(8000)}}]}`),
    ),
  );
  for (const depth of [MAX_JSON_DEPTH + 1, 5000, 30_000])
    add(
      `deep-request-body-${depth}`,
      TOO_DEEP,
      text((n) => withRaw(n, 'request.body', nestedText(depth))),
    );
  add(
    'deep-request-body-object',
    TOO_DEEP,
    text((n) => withRaw(n, 'request.body', nestedText(20_000, 'object'))),
  );
  for (const depth of [5000, 200_000])
    add(
      `deep-response-body-${depth}`,
      TOO_DEEP,
      text((n) => withRaw(n, 'response.body', nestedText(depth))),
    );
  add(
    'deep-everywhere',
    TOO_DEEP,
    text((n) =>
      // The request's body is the first `"body"` left once the signature's is spliced in.
      withRaw(n, 'signature.body', nestedText(10_000)).replace(
        '"body":{"model":"gpt-4o-mini"}',
        `"body":${nestedText(10_000, 'object')}`,
      ),
    ),
  );
  add(
    'deep-unknown-key',
    ANY_REASON,
    text((n) => withRaw(n, 'signature.body', '1').replace('{', `{"extra":${nestedText(50_000)},`)),
  );
  add(
    'deep-bare-array',
    ANY_REASON,
    text(() => nestedText(100_000)),
  );
  add(
    'deep-bare-object',
    ANY_REASON,
    text(() => nestedText(100_000, 'object')),
  );
  add(
    'deep-scenario',
    ANY_REASON,
    text(() => `{"faults":[],"description":${nestedText(20_000)}}`),
    'scenarios',
  );

  // Patterns that cannot compile.
  const regexes: Array<[string, string | undefined]> = [
    ['(', undefined],
    ['[a-', undefined],
    ['a{2,1}', undefined],
    ['*', undefined],
    ['+a', undefined],
    ['(?<n>a)(?<n>b)', undefined],
    ['\\', undefined],
    ['(?<=a', undefined],
    ['\\p{NoSuchProperty}', 'u'],
    ['a', 'zz'],
    ['a', 'ii'],
    ['[z-a]', undefined],
    [')', undefined],
    ['(?', undefined],
    ['(?<1a>x)', undefined],
  ];
  regexes.forEach(([source, flags], i) =>
    add(
      `bad-regex-${i}`,
      BAD_REGEX,
      text((n) =>
        withSignature(n, {
          body: {
            model: 'gpt-4o-mini',
            messages: [
              { role: 'user', content: { $regex: source, ...(flags ? { $flags: flags } : {}) } },
            ],
          },
        }),
      ),
    ),
  );
  add(
    'bad-regex-in-query',
    BAD_REGEX,
    text((n) => withSignature(n, { query: { v: { $regex: '(' } } })),
  );
  add(
    'bad-regex-in-array',
    BAD_REGEX,
    text((n) => withSignature(n, { body: { tools: [1, 2, [{ name: { $regex: '[' } }]] } })),
  );
  add(
    'bad-regex-top',
    BAD_REGEX,
    text((n) => withSignature(n, { body: { $regex: '(((' } })),
  );
  add(
    'bad-regex-after-good',
    BAD_REGEX,
    text((n) => withSignature(n, { body: { a: { $regex: '^ok$' }, b: { $regex: '?' } } })),
  );
  for (const p of ['messages[0]', '$..x', '$[abc]', '$.', '$["unterminated]'])
    add(
      `bad-ignore-${list.length}`,
      BAD_IGNORE,
      text((n) => withSignature(n, { ignore: [p] })),
    );

  // Not regular files: none of them may be opened for reading, let alone read to the end.
  add('fifo', NOT_REGULAR, fifo);
  add('fifo', NOT_REGULAR, fifo, 'scenarios');
  add('dev-zero', ANY_REASON, link('/dev/zero'));
  add('dev-zero-2', ANY_REASON, link('/dev/zero'));
  add('dev-urandom', ANY_REASON, link('/dev/urandom'));
  add('dev-null', ANY_REASON, link('/dev/null'));
  add('dev-zero', ANY_REASON, link('/dev/zero'), 'scenarios');
  add('dir', NOT_REGULAR, (abs) => mkdir(abs).then(() => undefined));
  add('dir-with-files', NOT_REGULAR, async (abs) => {
    await mkdir(abs);
    await writeFile(path.join(abs, 'inner.json'), '{}');
  });
  add('dir', NOT_REGULAR, (abs) => mkdir(abs).then(() => undefined), 'scenarios');
  add('socket', NOT_REGULAR, socket);
  add('link-to-fifo-inside', NOT_REGULAR, async (abs, _n, root) => {
    execFileSync('mkfifo', [path.join(root, 'a-pipe')]);
    await symlink('../a-pipe', abs);
  });
  add('link-to-dir-inside', NOT_REGULAR, (abs) => symlink('..', abs));
  add('dangling-link', UNREADABLE, link('./no-such-file.json'));
  add('loop-a', UNREADABLE, link('./h-loop-b.json'));
  add('self-link', UNREADABLE, (abs) => symlink(`./${path.basename(abs)}`, abs));

  // Size: one over the limit (not read, so sparse costs nothing), and large ones under it.
  add('over-limit', TOO_LARGE, sparse(MAX_SNAPSHOT_FILE_BYTES + 1));
  add('over-limit-200mb', TOO_LARGE, sparse(200 * 1024 * 1024));
  add(
    '20mb-truncated',
    INVALID_JSON,
    text(() => `{"id":"c_big","pad":"${'x'.repeat(20 * 1024 * 1024)}`),
  );
  add(
    '20mb-binary',
    INVALID_JSON,
    text(() => randomBytes(20 * 1024 * 1024)),
  );
  add(
    '20mb-wrong-shape',
    ANY_REASON,
    text(() => JSON.stringify(new Array(4 * 1024 * 1024).fill(1234))),
  );

  // Garbage and the wrong JSON.
  add(
    'empty',
    EMPTY,
    text(() => ''),
  );
  add(
    'whitespace',
    EMPTY,
    text(() => ' \n\t\n '),
  );
  for (let i = 0; i < 2; i++)
    add(
      `binary-${i}`,
      INVALID_JSON,
      text(() => randomBytes(4096 * (i + 1))),
    );
  add(
    'png',
    INVALID_JSON,
    text(() => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(512)])),
  );
  add(
    'nul-bytes',
    INVALID_JSON,
    text(() => Buffer.alloc(1024)),
  );
  add(
    'utf16',
    INVALID_JSON,
    text((n) =>
      Buffer.from(
        edited(n, () => undefined),
        'utf16le',
      ),
    ),
  );
  add(
    'truncated',
    INVALID_JSON,
    text((n) => edited(n, () => undefined).slice(0, 200)),
  );
  add(
    'trailing-garbage',
    INVALID_JSON,
    text((n) => edited(n, () => undefined) + '\n}{'),
  );
  add(
    'comments',
    INVALID_JSON,
    text((n) => '// a call\n' + edited(n, () => undefined)),
  );
  add(
    'single-quotes',
    INVALID_JSON,
    text(() => "{'id': 'c'}"),
  );
  add(
    'nan',
    INVALID_JSON,
    text(() => '{"seq": NaN}'),
  );
  for (const v of ['null', '[]', '42', '"a call"', 'true', '{}'])
    add(
      `json-${list.length}`,
      ANY_REASON,
      text(() => v),
    );

  // Valid JSON, wrong shape.
  add(
    'no-id',
    /id/,
    text((n) => edited(n, (c) => delete c['id'])),
  );
  add(
    'seq-string',
    /seq/,
    text((n) => edited(n, (c) => (c['seq'] = 'one'))),
  );
  add(
    'seq-negative',
    /seq/,
    text((n) => edited(n, (c) => (c['seq'] = -1))),
  );
  add(
    'status-999',
    /status/,
    text((n) => edited(n, (c) => ((c['response'] as Record<string, unknown>)['status'] = 999))),
  );
  add(
    'two-bodies',
    /at most one/,
    text((n) => edited(n, (c) => ((c['request'] as Record<string, unknown>)['bodyText'] = 'x'))),
  );
  add(
    'unknown-key',
    /Unrecognized key/,
    text((n) => edited(n, (c) => (c['extra'] = true))),
  );
  add(
    'bad-outcome',
    /outcome/,
    text((n) => edited(n, (c) => (c['outcome'] = 'maybe'))),
  );
  add(
    'future-format',
    /newer Tapedeck/,
    text((n) => edited(n, (c) => (c['format'] = 'tapedeck/9'))),
  );
  add(
    'header-number',
    /headers/,
    text((n) =>
      edited(n, (c) => ((c['request'] as Record<string, unknown>)['headers'] = { a: 1 })),
    ),
  );
  add(
    'proto-key',
    /Unrecognized key/,
    text((n) => edited(n, () => undefined).replace('{', '{"__proto__":{"polluted":true},')),
  );
  add(
    'signature-array',
    /signature/,
    text((n) => edited(n, (c) => (c['signature'] = [1, 2]))),
  );
  add(
    'faults-not-array',
    /faults/,
    text((n) => edited(n, (c) => (c['faults'] = { kind: 'hang' }))),
  );
  add(
    'bad-scenario',
    ANY_REASON,
    text(() => '{"faults":[{"kind":"nope"}]}'),
    'scenarios',
  );
  add(
    'binary-scenario',
    INVALID_JSON,
    text(() => randomBytes(2048)),
    'scenarios',
  );
  add(
    'empty-scenario',
    EMPTY,
    text(() => ''),
    'scenarios',
  );
  return list;
}

/** Builds the folder: a valid manifest, 100 valid calls, exactly 100 hostile files. */
export async function hostileCorpus(): Promise<HostileCorpus> {
  const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'tapedeck-hostile-')));
  await mkdir(path.join(dir, 'calls'));
  await mkdir(path.join(dir, 'scenarios'));
  await writeFile(
    path.join(dir, 'tapedeck.json'),
    JSON.stringify({ format: 'tapedeck/1', createdAt: '2026-12-01T00:00:00.000Z' }, null, 2),
  );
  await writeFile(path.join(dir, 'scenarios', 'fine.json'), '{"faults":[]}');

  const valid: ValidCall[] = [];
  for (let i = 1; i <= 100; i++) {
    const body = validBody(i);
    const id = `c_valid_${String(i).padStart(3, '0')}`;
    const answer = `valid answer ${i}`;
    const file = `calls/${String(i).padStart(6, '0')}-openai-chat-gpt-4o-mini.json`;
    await writeFile(path.join(dir, file), serializeCall(callOf(id, i, body, answer)));
    valid.push({ file, id, body: JSON.stringify(body), answer });
  }

  const list = kinds();
  // The symlink loop takes two files.
  if (list.length + 1 > 100)
    throw new Error(`${list.length + 1} hostile files; the corpus holds 100`);
  const hostile: HostileFile[] = [];
  // The loop's second file is named for the first one's link target.
  let n = 0;
  const place = async (k: Kind, name: string) => {
    n++;
    const file = `${k.dir ?? 'calls'}/${name}`;
    await k.make(path.join(dir, file), n, dir);
    hostile.push({ file, reason: k.reason });
  };
  for (const k of list) {
    if (k.name === 'loop-a') {
      await place(k, 'h-loop-a.json');
      await place({ ...k, make: link('./h-loop-a.json') }, 'h-loop-b.json');
      continue;
    }
    await place(k, `h${String(n + 1).padStart(3, '0')}-${k.name}.json`);
  }
  // Fill up to 100 with more garbage of a kind that varies by seed.
  while (hostile.length < 100) {
    const size = 64 + hostile.length * 37;
    await place(
      { name: 'garbage', reason: INVALID_JSON, make: text(() => randomBytes(size)) },
      `h${String(n + 1).padStart(3, '0')}-garbage.json`,
    );
  }
  return { dir, valid, hostile };
}
