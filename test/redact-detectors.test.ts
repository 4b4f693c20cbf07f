/**
 * The redaction module on its own: every built-in detector on the shapes it is for (and only on
 * those), header and query names, the `redact` rules of tapedeck.json, and the matcher comparing
 * redacted recordings with live requests that carry other keys.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LiveRequest } from '../shared/matching/live-request.js';
import { Matcher } from '../shared/matching/matcher.js';
import { signatureOf } from '../shared/matching/signature.js';
import {
  DETECTORS,
  REDACTED,
  Redactor,
  SHORTEST_SECRET,
  isSecretHeader,
  redactHeaders,
  redactText,
  redactUrl,
} from '../shared/redact.js';
import { Manifest, type Signature } from '../shared/schema.js';

/** Per detector: text containing a secret, and what must be left of it. */
const POSITIVES: Record<string, [input: string, expected: string][]> = {
  'openai-style-key': [
    ['my key is sk-proj-AbCdEf0123456789_-AbCdEf0123456789 ok', 'my key is [REDACTED] ok'],
    ['sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AA', '[REDACTED]'],
    ['OPENAI_API_KEY="sk-svcacct-AbCdEfGhIjKlMnOpQrSt"', 'OPENAI_API_KEY="[REDACTED]"'],
    ['legacy sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCDEFGHIJKL.', 'legacy [REDACTED].'],
    ['router: sk-or-v1-0123456789abcdef0123456789abcdef', 'router: [REDACTED]'],
  ],
  'xai-key': [['xai-AbCdEfGhIjKlMnOpQrStUvWxYz012345 is mine', '[REDACTED] is mine']],
  'google-api-key': [
    ['?key=AIzaSyA1234567890abcdefghijklmnopqrstuv&x', '?key=[REDACTED]&x'],
    ['"AIzaSyA1234567890abcdefghijklmnopqrstuv"', '"[REDACTED]"'],
  ],
  'groq-key': [['gsk_AbCdEfGhIjKlMnOpQrStUvWxYz012345', '[REDACTED]']],
  'huggingface-token': [['token hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567', 'token [REDACTED]']],
  'stripe-key': [
    ['sk_live_AbCdEfGhIjKlMnOp01 and rk_test_AbCdEfGhIjKlMnOp01', '[REDACTED] and [REDACTED]'],
  ],
  'github-token': [
    ['ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', '[REDACTED]'],
    ['push with ghs_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789!', 'push with [REDACTED]!'],
    ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', '[REDACTED]'],
  ],
  'slack-token': [
    ['xoxb-1234567890-0987654321-AbCdEfGhIjKl', '[REDACTED]'],
    ['app token xapp-1-A0123456789-0123456789-abcdef', 'app token [REDACTED]'],
  ],
  'slack-webhook': [
    [
      'post to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX now',
      'post to https://hooks.slack.com/services/[REDACTED] now',
    ],
  ],
  'aws-access-key-id': [
    ['AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE', 'AWS_ACCESS_KEY_ID=[REDACTED]'],
    ['session ASIAY34FZKBOKMUTVV7A', 'session [REDACTED]'],
  ],
  jwt: [
    [
      'id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'id [REDACTED]',
    ],
  ],
  'private-key': [
    [
      'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc/+=\n-----END RSA PRIVATE KEY-----\ndone',
      'key:\n[REDACTED]\ndone',
    ],
    ['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF', '[REDACTED]'],
  ],
  'bearer-token': [
    ['Authorization: Bearer abc123.def456-ghi', 'Authorization: Bearer [REDACTED]'],
    [
      'curl -H "authorization: bearer 0123456789abcdef"',
      'curl -H "authorization: bearer [REDACTED]"',
    ],
    ['BEARER AbCdEfGhIjKlMnOpQrStUv', 'BEARER [REDACTED]'],
  ],
  'secret-assignment': [
    ['password: hunter22', 'password: [REDACTED]'],
    ['{"api_key": "internal-1234"}', '{"api_key": "[REDACTED]"}'],
    [
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'aws_secret_access_key = [REDACTED]',
    ],
    ['client_secret=abc123def&scope=x', 'client_secret=[REDACTED]&scope=x'],
    ["{'refreshToken': 'opaque-refresh-value'}", "{'refreshToken': '[REDACTED]'}"],
    ['AccountKey=Zm9vYmFyYmF6cXV4+/==;EndpointSuffix', 'AccountKey=[REDACTED];EndpointSuffix'],
    ['{\\"apiKey\\": \\"abcdef123\\"}', '{\\"apiKey\\": \\"[REDACTED]\\"}'],
  ],
};

const NEGATIVES: string[] = [
  'The secret to good bread is time.',
  'Enter your password below, then press the button.',
  'Bearer bonds were common once; the bearer of this letter is trusted.',
  'max_tokens: 1024, num_tokens=5000, input_tokens: 17, completion_tokens 9',
  '"max_tokens": 4096, "stop": ["\\n\\n"], "token": "Hello", "logprob": -0.25',
  'chatcmpl-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  'msg_01XFDUDYJgAACzvnptvVoYEL toolu_01A09q90qw90lq917835lq9 call_abc123DEF456ghi789',
  'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b req_011CSHoEeqs5C35K2UUqR7Fy',
  'file-AbCdEfGhIjKlMnOpQrStUvWxYz012345 asst_abc123 thread_abc123 org-AbCdEfGhIj',
  'task-AbCdEfGhIjKlMnOpQrStUvWxYz012345 desk-AbCdEfGhIjKlMnOpQrStUvWxYz012345',
  'sk-learn is a library; the sk-SK locale; sk-1234 is too short',
  'gpt-4o-mini-2024-07-18 claude-sonnet-4-5-20250929 gemini-2.5-flash-preview-05-20',
  'uuid 123e4567-e89b-12d3-a456-426614174000 sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'https://api.openai.com/v1/chat/completions?alt=sse&page_token=next',
  'Meet me in Asia. AKIA is a prefix. eyJ alone is nothing. PRIVATE KEYS are mentioned.',
  'the api key field is required; secret: none; password=short',
];

/** A base64 image (a data URL) whose data happens to hold key prefixes in the middle. */
function base64Image(): string {
  const bytes = randomBytes(3000).toString('base64');
  return `data:image/png;base64,${bytes.slice(0, 1000)}AIzaSyA1234567890abcdefghijklmnopqrstuv${bytes.slice(1000, 2000)}AKIAIOSFODNN7EXAMPLE${bytes.slice(2000)}eyJhbGciOiJIUzI1NiJ9`;
}

describe('built-in detectors', () => {
  it('has examples for every detector', () => {
    expect(Object.keys(POSITIVES).sort()).toEqual(DETECTORS.map((d) => d.name).sort());
  });

  for (const [name, cases] of Object.entries(POSITIVES)) {
    it(`${name}: redacts the secret, keeps the text around it`, () => {
      for (const [input, expected] of cases) {
        expect(redactText(input), input).toBe(expected);
        // Redacting again changes nothing: the recorder wrote it, the matcher redacts it again.
        expect(redactText(expected), expected).toBe(expected);
      }
    });
  }

  it('leaves ordinary text, ids, usage counts and base64 images alone', () => {
    for (const text of NEGATIVES) expect(redactText(text), text).toBe(text);
    for (let i = 0; i < 20; i++) {
      const image = base64Image();
      expect(redactText(image)).toBe(image);
    }
  });

  it('no detector matches text shorter than SHORTEST_SECRET (those skip the regex)', () => {
    expect(redactText('secret:123456')).toBe('secret:[REDACTED]');
    expect('secret:123456'.length).toBe(SHORTEST_SECRET);
    const full = new RegExp(DETECTORS.map((d) => `(?:${d.source})`).join('|'));
    const unit = fc.constantFrom(...'sSkKaApPiIwWdDtTxXzZeEbBcCrRoOnNhHgGJ0123456789-_:= "\'.\n');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: SHORTEST_SECRET - 1 }), (s) => !full.test(s)),
      { numRuns: 5000, seed: 13 },
    );
  });

  it('a JSON body without secrets comes back as the very same object', () => {
    const body = {
      model: 'gpt-4o-mini',
      max_tokens: 100,
      messages: [{ role: 'user', content: NEGATIVES.join('\n') }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    };
    expect(Redactor.builtin.value(body)).toBe(body);
  });
});

describe('credential-named fields', () => {
  it('replaces string values of credential-named fields whatever they look like', () => {
    const body = {
      input: {
        user: 'admin',
        password: 'x',
        apiKey: 'k',
        client_secret: 'c',
        Authorization: 'Basic dXNlcjpwYXNz',
      },
      openai_api_key: 'short',
      access_token: 'opaque',
      max_tokens: 100,
      num_tokens: '12',
      token: 'Hello',
      page_token: 'next-page',
      password: 12345,
    };
    expect(Redactor.builtin.value(body)).toEqual({
      input: {
        user: 'admin',
        password: REDACTED,
        apiKey: REDACTED,
        client_secret: REDACTED,
        Authorization: REDACTED,
      },
      openai_api_key: REDACTED,
      access_token: REDACTED,
      max_tokens: 100,
      num_tokens: '12',
      token: 'Hello',
      page_token: 'next-page',
      password: 12345,
    });
  });
});

describe('header and query names', () => {
  it('redacts gateway credential headers and keeps usage counts and rate limits', () => {
    for (const h of [
      'ocp-apim-subscription-key',
      'x-auth',
      'x-access-key',
      'X-Auth-Token',
      'x-amz-security-token',
      'api-key',
    ])
      expect(isSecretHeader(h), h).toBe(true);
    for (const h of [
      'num_tokens',
      'x-ratelimit-remaining-tokens',
      'x-ratelimit-limit-tokens',
      'anthropic-ratelimit-input-tokens-remaining',
      'idempotency-key',
      'www-authenticate',
      'content-type',
    ])
      expect(isSecretHeader(h), h).toBe(false);
  });

  it('looks inside the values of headers it does not know by name', () => {
    expect(
      redactHeaders({
        'x-forwarded-key-info': 'sk-proj-AbCdEf0123456789_-AbCdEf01',
        'x-note': 'plain',
      }),
    ).toEqual({ 'x-forwarded-key-info': REDACTED, 'x-note': 'plain' });
  });

  it('redacts ?access_token= and ?code= and keeps other parameters byte for byte', () => {
    expect(
      redactUrl('https://x.example/cb?code=abc&state=s%20t&access_token=tok&page_token=p'),
    ).toBe(
      'https://x.example/cb?code=%5BREDACTED%5D&state=s%20t&access_token=%5BREDACTED%5D&page_token=p',
    );
  });
});

describe('redact rules from tapedeck.json', () => {
  const rules = {
    paths: ['$.messages[*].content', "$['user profile'].email"],
    responsePaths: ['$.choices[0].message.content'],
    patterns: ['\\b\\d{3}-\\d{2}-\\d{4}\\b', { pattern: 'alice@example\\.com', flags: 'i' }],
  };

  it('is part of the manifest schema, and a bad pattern or path is a schema error', () => {
    expect(Manifest.safeParse({ format: 'tapedeck/1', redact: rules }).success).toBe(true);
    const bad = Manifest.safeParse({ format: 'tapedeck/1', redact: { patterns: ['(unclosed'] } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/invalid redact pattern "\(unclosed"/);
    const badPath = Manifest.safeParse({ format: 'tapedeck/1', redact: { paths: ['messages'] } });
    expect(badPath.error?.issues[0]?.message).toMatch(
      /invalid redact path "messages": it must start/,
    );
    expect(Manifest.safeParse({ format: 'tapedeck/1', redact: { bogus: 1 } }).success).toBe(false);
  });

  it('paths replace the whole value; patterns every match; responsePaths the reply', () => {
    const r = new Redactor(rules);
    expect(
      r.requestBody({
        messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }, { role: 'user' }],
        'user profile': { email: 'bob@example.com', name: 'Bob' },
        note: 'SSN 123-45-6789, mail ALICE@example.com',
      }),
    ).toEqual({
      messages: [{ role: 'user', content: REDACTED }, { role: 'user' }],
      'user profile': { email: REDACTED, name: 'Bob' },
      note: `SSN ${REDACTED}, mail ${REDACTED}`,
    });
    expect(
      r.responseBody({ choices: [{ message: { role: 'assistant', content: 'private' } }] }),
    ).toEqual({ choices: [{ message: { role: 'assistant', content: REDACTED } }] });
    // The marker is out of reach of the user's patterns: redacting twice changes nothing.
    const greedy = new Redactor({ patterns: ['[A-Z]{4,}'] });
    const once = greedy.text('SECRET word');
    expect(once).toBe(`${REDACTED} word`);
    expect(greedy.text(once)).toBe(once);
    const empty = new Redactor({ patterns: ['x*'] });
    expect(empty.text('axxb')).toBe(`a${REDACTED}b`);
    expect(empty.text(empty.text('axxb'))).toBe(`a${REDACTED}b`);
  });

  it('builtin: false turns the detectors off, leaving only the rules given', () => {
    const r = new Redactor({ builtin: false, patterns: ['secret-\\d+'] });
    expect(r.text('sk-proj-AbCdEf0123456789_-AbCdEf01 secret-42')).toBe(
      `sk-proj-AbCdEf0123456789_-AbCdEf01 ${REDACTED}`,
    );
    expect(r.value({ password: 'kept' })).toEqual({ password: 'kept' });
  });

  it('a stream event keeps its bytes unless something in it is redacted', () => {
    const r = Redactor.builtin;
    const plain = 'data-ish {"choices": [ {"delta": {"content": "hi"}} ] }';
    expect(r.streamData(plain)).toBe(plain);
    const spaced = '{ "choices" : [ { "delta" : { "content" : "hi" } } ] }';
    expect(r.streamData(spaced)).toBe(spaced);
    expect(r.streamData('{"delta": {"content": "key sk-proj-AbCdEf0123456789_-AbCdEf01"}}')).toBe(
      '{"delta":{"content":"key [REDACTED]"}}',
    );
    expect(r.streamData('[DONE]')).toBe('[DONE]');
    expect(r.streamData('{"partial": "sk-proj-AbCdEf0123456789_-AbCdEf01')).toBe(
      '{"partial": "[REDACTED]',
    );
  });

  it('the raw-text pre-check never says "nothing here" for a body that redaction changes', () => {
    const fragments = [
      ...Object.values(POSITIVES)
        .flat()
        .map(([input]) => input),
      ...NEGATIVES,
      'plain words',
    ];
    const fields = ['content', 'text', 'password', 'apiKey', 'name', 'max_tokens', 'x'];
    const body = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(...fragments),
        fc.string(),
        fc.integer(),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom(...fields), tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(body, (b) => {
        const raw = JSON.stringify(b);
        if (!Redactor.builtin.mayMatch(raw)) expect(Redactor.builtin.value(b)).toBe(b);
      }),
      { numRuns: 2000, seed: 8 },
    );
  });
});

describe('matching redacted recordings', () => {
  const req = (content: string, extra: Record<string, unknown> = {}): LiveRequest => ({
    upstream: 'openai',
    method: 'POST',
    path: '/v1/chat/completions',
    query: {},
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra },
  });
  const recorded = (r: LiveRequest, redactor = Redactor.builtin): Signature =>
    signatureOf({ ...r, body: redactor.requestBody(r.body) });
  const call = (signature: Signature, id = 'a') => ({ id, seq: 1, signature });
  const keyA = 'sk-proj-RECORDaaaaaaaaaaaaaaaaaaaaaaaa01';
  const keyB = 'sk-proj-REPLAYbbbbbbbbbbbbbbbbbbbbbbbb02';

  it('a request with another key of the same shape in the same place is an exact hit', () => {
    const sig = recorded(req(`use ${keyA} now`, { tools: [{ api_key: 'one' }] }));
    expect(JSON.stringify(sig)).not.toContain(keyA);
    const m = new Matcher([call(sig)]);
    expect(m.match(req(`use ${keyB} now`, { tools: [{ api_key: 'two' }] }))).toMatchObject({
      kind: 'hit',
      exact: true,
    });
    expect(m.match(req(`use ${keyB} later`, { tools: [{ api_key: 'two' }] })).kind).toBe('miss');
    // By raw bytes too (the mock's path), with the pre-check on the raw text.
    const live = req(`use ${keyB} now`, { tools: [{ api_key: 'two' }] });
    const raw = JSON.stringify(live.body);
    expect(m.matchRaw(raw, () => ({ ...live, rawBody: raw }))).toMatchObject({ kind: 'hit' });
  });

  it('a recording made before redaction existed (clear key on disk) still matches', () => {
    const m = new Matcher([call(signatureOf(req(`use ${keyA} now`)))]);
    expect(m.match(req(`use ${keyB} now`))).toMatchObject({ kind: 'hit', exact: true });
  });

  it('manifest paths: any value there matches, and the signature stays exact', () => {
    const redactor = new Redactor({ paths: ['$.messages[*].content'] });
    const m = new Matcher([call(recorded(req('customer Alice'), redactor))], { redact: redactor });
    expect(m.match(req('customer Bob'))).toMatchObject({ kind: 'hit', exact: true });
    // Without the rule the same recording only matches the marker itself.
    const none = new Matcher([call(recorded(req('customer Alice'), redactor))], { redact: null });
    expect(none.match(req('customer Bob')).kind).toBe('miss');
  });

  it('user normalizers see the redacted text on both sides', () => {
    const normalizers = [{ pattern: 'run-\\d+', replace: 'run-N' }];
    const m = new Matcher([call(recorded(req(`run-1 ${keyA}`)))], { normalizers });
    expect(m.match(req(`run-2 ${keyB}`))).toMatchObject({ kind: 'hit', exact: true });
  });

  it('the miss report shows the redacted request, not the key', () => {
    const m = new Matcher([call(recorded(req(`use ${keyA} now`)))]);
    const r = m.match(req(`use ${keyB} tomorrow`));
    expect(r.kind).toBe('miss');
    expect(JSON.stringify(r)).not.toContain(keyB);
  });
});
