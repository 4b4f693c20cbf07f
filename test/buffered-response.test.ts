/** The in-process mock's Response over bytes in memory reads like any Response. */
import { describe, expect, it } from 'vitest';
import { bufferedResponse } from '../proxy/mock/buffered-response.js';

const bytes = () => new TextEncoder().encode('{"ok":true,"text":"héllo"}');
const init = { status: 201, headers: { 'content-type': 'application/json', 'x-a': '1' } };

describe('bufferedResponse', () => {
  it('is a Response with the status, headers and body given', async () => {
    const r = bufferedResponse(bytes(), init);
    expect(r).toBeInstanceOf(Response);
    expect(r.status).toBe(201);
    expect(r.ok).toBe(true);
    expect(r.headers.get('x-a')).toBe('1');
    expect(await r.json()).toEqual({ ok: true, text: 'héllo' });
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(TypeError);
  });

  it('reads the same through text, arrayBuffer, blob and the body stream', async () => {
    const want = '{"ok":true,"text":"héllo"}';
    expect(await bufferedResponse(bytes(), init).text()).toBe(want);
    const ab = await bufferedResponse(bytes(), init).arrayBuffer();
    expect(new TextDecoder().decode(ab)).toBe(want);
    const blob = await bufferedResponse(bytes(), init).blob();
    expect(blob.type).toBe('application/json');
    expect(await blob.text()).toBe(want);
    const streamed = bufferedResponse(bytes(), init);
    const reader = (streamed.body as ReadableStream<Uint8Array>).getReader();
    const chunks: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe(want);
    expect(streamed.bodyUsed).toBe(true);
  });

  it('reads through the stream once someone took it, and clones before a read', async () => {
    const r = bufferedResponse(bytes(), init);
    expect(r.body).not.toBeNull();
    expect(await r.text()).toBe('{"ok":true,"text":"héllo"}');
    const original = bufferedResponse(bytes(), init);
    const copy = original.clone();
    expect(await copy.json()).toEqual(await original.json());
    expect(() => original.clone()).toThrow(TypeError);
  });

  it('has no body for a null body', async () => {
    const r = bufferedResponse(null, { status: 204 });
    expect(r.body).toBeNull();
    expect(await r.text()).toBe('');
  });
});
