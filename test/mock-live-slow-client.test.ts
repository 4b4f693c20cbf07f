/**
 * A live-link client that stops reading (a frozen tab, a stopped debugger) must not grow the
 * mock's memory: past the bound its rows are dropped and counted, and once it drains it is told
 * how many (`event: dropped`), then gets rows again. A real server and a real socket whose reading
 * is paused; the bound is made small so the test needs thousands of rows, not millions.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus, type MockEvent } from '../proxy/mock/events.js';
import { LiveHub } from '../proxy/mock/live.js';
import { TOKEN_HEADER, type LiveState } from '../shared/mock-link.js';

const TOKEN = 't'.repeat(64);
const state: LiveState = {
  since: new Date(0).toISOString(),
  requests: 0,
  unmatched: 0,
  costAvoidedUsd: 0,
  hits: {},
  unused: [],
  missGroups: 0,
};

function hit(id: number): MockEvent {
  return {
    outcome: 'hit',
    request: { id, method: 'POST', upstream: 'openai', path: '/v1/chat/completions', time: id },
    status: 200,
    faults: [],
    timings: { ttfbMs: 1, totalMs: 2 },
    hit: { call: 'c1', seq: 1, file: 'calls/000001-x.json', costUsd: 0.001 },
    costAvoidedUsd: 0.001,
  };
}

const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

describe('a live-link client that stops reading', () => {
  it('loses rows past the bound, is told how many once it drains, and then gets rows again', async () => {
    const bus = new EventBus(() => undefined);
    const hub = new LiveHub(
      TOKEN,
      bus,
      { state: () => state, misses: () => [], kept: () => undefined },
      64 * 1024,
    );
    let stream: http.ServerResponse | null = null;
    const server = http.createServer((req, res) => {
      stream = res;
      void hub.handle(req, res, '/events', Buffer.alloc(0));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    hub.port = port;
    closers.push(() => {
      hub.close();
      server.close();
    });

    const socket = net.connect(port, '127.0.0.1');
    closers.push(() => socket.destroy());
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    socket.write(
      `GET /__tapedeck/live/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${TOKEN_HEADER}: ${TOKEN}\r\n\r\n`,
    );
    await expect.poll(() => received.includes('event: state')).toBe(true);
    socket.pause();

    // Batches of rows while the client reads nothing: first the kernel's socket buffers fill, then
    // the server's own buffer passes the bound; one more batch after that is dropped.
    let published = 0;
    const batch = async () => {
      for (let i = 0; i < 500; i++) bus.publish(hit(++published));
      await new Promise((r) => setTimeout(r, 60));
    };
    const unsent = () => (stream as http.ServerResponse | null)?.writableLength ?? 0;
    for (let round = 0; round < 400 && unsent() <= 64 * 1024; round++) await batch();
    expect(unsent()).toBeGreaterThan(64 * 1024);
    await batch();
    socket.resume();
    await expect.poll(() => received.includes('event: dropped'), { timeout: 10_000 }).toBe(true);
    const dropped = Number(/event: dropped\ndata: \{"rows":(\d+)\}/.exec(received)?.[1]);
    expect(dropped).toBeGreaterThan(0);

    // Back to normal: a new row arrives as a row.
    bus.publish(hit(++published));
    await expect.poll(() => received.includes(`"id":${published},`)).toBe(true);
    const rows = received.split('"outcome":"hit"').length - 1;
    expect(rows + dropped).toBe(published);
  });
});
