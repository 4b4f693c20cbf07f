/** `GET /api/events`: a WebSocket that carries the host's ChangeEvents and mock-link events to one browser tab. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { DesktopApi } from '../../shared/desktop-api.js';
import { checkRequest, refusalCode, type Guard } from './guard.js';

export const EVENTS_PATH = '/api/events';
const HEARTBEAT_MS = 30_000;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: { message, code: refusalCode(status) } });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\n` +
      'connection: close\r\ncontent-type: application/json; charset=utf-8\r\n' +
      `cache-control: no-store\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export interface EventSockets {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

export function eventSockets(api: DesktopApi, guard: () => Guard | null): EventSockets {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const alive = new WeakMap<WebSocket, boolean>();

  wss.on('connection', (ws) => {
    alive.set(ws, true);
    const send = (message: unknown) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
    };
    const unsubscribe = api.onChange(send);
    const unsubscribeMock = api.onMock((event) => send({ mock: event }));
    ws.on('pong', () => alive.set(ws, true));
    ws.on('close', () => {
      unsubscribe();
      unsubscribeMock();
    });
    // The channel is one-way; whatever a client sends is ignored.
    ws.on('error', () => ws.terminate());
  });

  // Dead tabs (a laptop lid closed mid-session) would otherwise keep their subscription forever.
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    upgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      const g = guard();
      if (!g) return refuse(socket, 403, 'the server is not ready');
      const pathname = new URL(req.url ?? '/', 'http://host.invalid').pathname;
      if (pathname !== EVENTS_PATH) return refuse(socket, 404, `no WebSocket at ${pathname}`);
      const verdict = checkRequest(g, req);
      if (!verdict.ok) return refuse(socket, verdict.status, verdict.message);
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    close() {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
