/**
 * DesktopApi over the `tapedeck ui` HTTP transport (see shared/desktop-api.ts): one POST per call,
 * and one WebSocket for change events, reconnected with backoff for as long as anyone listens.
 */
import {
  RPC_METHODS,
  type ChangeEvent,
  type ConflictReply,
  type DesktopApi,
  type MockLinkEvent,
  type RpcError,
  type RpcMethod,
  type SaveResult,
} from '../../shared/desktop-api.js';

export class RpcCallError extends Error {
  constructor(
    message: string,
    readonly code: RpcError['code'] | 'network' | 'unauthorized',
    readonly method: string,
  ) {
    super(message);
    this.name = 'RpcCallError';
  }
}

type Args<M extends RpcMethod> = Parameters<DesktopApi[M]>;
type Result<M extends RpcMethod> = Awaited<ReturnType<DesktopApi[M]>>;

function isRpcError(v: unknown): v is { error: RpcError } {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = (v as { error: unknown }).error;
  return typeof e === 'object' && e !== null && 'message' in e;
}

function isConflictReply(v: unknown): v is ConflictReply {
  if (!isRpcError(v) || v.error.code !== 'conflict' || !('current' in v)) return false;
  const c = (v as { current: unknown }).current;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof (c as { path?: unknown }).path === 'string' &&
    typeof (c as { text?: unknown }).text === 'string' &&
    typeof (c as { hash?: unknown }).hash === 'string'
  );
}

async function call<M extends RpcMethod>(method: M, ...args: Args<M>): Promise<Result<M>> {
  let res: Response;
  try {
    res = await fetch(`/api/${method}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(args),
    });
  } catch (err) {
    throw new RpcCallError(
      `cannot reach tapedeck ui (${err instanceof Error ? err.message : String(err)})`,
      'network',
      method,
    );
  }
  const body: unknown = await res.json().catch(() => null);
  if (res.ok && typeof body === 'object' && body !== null && 'result' in body) {
    return (body as { result: Result<M> }).result;
  }
  // A stale save is HTTP 409 with the current content; the UI expects it as a SaveResult.
  if (method === 'saveFile' && res.status === 409 && isConflictReply(body)) {
    const conflict: SaveResult = { ok: false, reason: 'conflict', current: body.current };
    return conflict as Result<M>;
  }
  if (res.status === 401) {
    throw new RpcCallError(
      'this page is not signed in to tapedeck ui: open the URL it printed (with ?token=…) again',
      'unauthorized',
      method,
    );
  }
  if (isRpcError(body)) throw new RpcCallError(body.error.message, body.error.code, method);
  throw new RpcCallError(`${method}: HTTP ${res.status}`, 'internal', method);
}

type Listener = (event: ChangeEvent) => void;
type MockListener = (event: MockLinkEvent) => void;

/** Reconnect delays grow to this; a host that restarts is found again within it. */
const MAX_BACKOFF_MS = 5000;

/**
 * One socket shared by all listeners. After a reconnect the events sent while it was down are
 * lost, so `onResync` listeners are told to reload what they show.
 */
class EventChannel {
  private readonly listeners = new Set<Listener>();
  private readonly mockListeners = new Set<MockListener>();
  private readonly resyncListeners = new Set<() => void>();
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private backoff = 250;
  private everOpened = false;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    this.ensureOpen();
    return () => {
      this.listeners.delete(listener);
      this.closeIfUnused();
    };
  }

  subscribeMock(listener: MockListener): () => void {
    this.mockListeners.add(listener);
    this.ensureOpen();
    return () => {
      this.mockListeners.delete(listener);
      this.closeIfUnused();
    };
  }

  private get listened(): boolean {
    return this.listeners.size + this.mockListeners.size > 0;
  }

  private closeIfUnused(): void {
    if (!this.listened) this.close();
  }

  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  private url(): string {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/api/events`;
  }

  private ensureOpen(): void {
    if (this.socket || this.timer) return;
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onopen = () => {
      this.backoff = 250;
      if (this.everOpened) for (const l of this.resyncListeners) l();
      this.everOpened = true;
    };
    socket.onmessage = (msg) => {
      if (typeof msg.data !== 'string') return;
      let event: ChangeEvent | { mock: MockLinkEvent };
      try {
        event = JSON.parse(msg.data) as ChangeEvent | { mock: MockLinkEvent };
      } catch {
        return;
      }
      if ('mock' in event) for (const l of this.mockListeners) l(event.mock);
      else for (const l of this.listeners) l(event);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.listened) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.listened) this.ensureOpen();
      }, this.backoff);
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    };
  }

  private close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    s?.close();
  }
}

export interface HttpDesktopApi extends DesktopApi {
  /** Called after the event socket reconnects, when events may have been missed. */
  onResync(listener: () => void): () => void;
}

export function createHttpApi(): HttpDesktopApi {
  const channel = new EventChannel();
  const rpc = Object.fromEntries(
    RPC_METHODS.map((m) => [m, (...args: unknown[]) => call(m, ...(args as Args<typeof m>))]),
  ) as Pick<DesktopApi, RpcMethod>;
  return {
    ...rpc,
    onChange: (listener) => channel.subscribe(listener),
    onMock: (listener) => channel.subscribeMock(listener),
    onResync: (listener) => channel.onResync(listener),
  };
}
