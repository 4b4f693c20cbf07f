/**
 * The in-process reply's body when the client aborts mid-stream: the read fails with the abort's
 * reason at once, as fetch's body does, rather than first handing out what was still queued.
 */
import { describe, expect, it } from 'vitest';
import { FetchReply } from '../proxy/mock/fetch-reply.js';

const text = (chunk: Uint8Array | undefined): string => Buffer.from(chunk ?? []).toString('utf8');

describe('FetchReply abort', () => {
  it('a read after the abort rejects, though chunks were still queued', async () => {
    const controller = new AbortController();
    const reply = new FetchReply(controller.signal);
    reply.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.flushHeaders();
    const response = await reply.response;
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    reply.write(Buffer.from('data: 1\n\n'));
    expect(text((await reader.read()).value)).toBe('data: 1\n\n');
    // Written before the client looked again: queued, as in a socket's buffer.
    reply.write(Buffer.from('data: 2\n\n'));
    reply.write(Buffer.from('data: 3\n\n'));
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    // The schedule hears the client is gone and stops writing.
    expect(reply.destroyed).toBe(true);
    expect(reply.write(Buffer.from('data: 4\n\n'))).toBe(false);
  });

  it('an abort after the whole body was written, before it was read, fails the read too', async () => {
    const controller = new AbortController();
    const reply = new FetchReply(controller.signal);
    reply.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.flushHeaders();
    const reader = ((await reply.response).body as ReadableStream<Uint8Array>).getReader();
    reply.write(Buffer.from('data: 1\n\n'));
    reply.end(Buffer.from('data: 2\n\n'));
    expect(text((await reader.read()).value)).toBe('data: 1\n\n');
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('a body read to its end is not failed by a later abort', async () => {
    const controller = new AbortController();
    const reply = new FetchReply(controller.signal);
    reply.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.flushHeaders();
    const response = await reply.response;
    reply.end(Buffer.from('data: 1\n\n'));
    expect(await response.text()).toBe('data: 1\n\n');
    controller.abort();
    expect(reply.destroyed).toBe(false);
  });

  it('a cut still delivers every written byte before its error', async () => {
    const reply = new FetchReply(null);
    reply.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.flushHeaders();
    const reader = ((await reply.response).body as ReadableStream<Uint8Array>).getReader();
    reply.write(Buffer.from('data: 1\n\n'));
    reply.write(Buffer.from('data: 2\n\n'));
    reply.destroy();
    expect(text((await reader.read()).value)).toBe('data: 1\n\n');
    expect(text((await reader.read()).value)).toBe('data: 2\n\n');
    await expect(reader.read()).rejects.toThrow('terminated');
  });
});
