/**
 * The one record of every request the mock handles, and the in-process bus that carries it. The
 * log line, `--log-json`, the stats, the misses and `--strict` are subscribers like any other; the
 * desktop's live view (issue #10) subscribes the same way.
 */
import type { FiredFault } from '../../shared/faults/engine.js';

/** Why a request was answered with an error before it could be matched. */
/** `bad_test`: an `x-tapedeck-test` header that is empty, too long, unprintable or sent twice. */
export type Refusal = 'too_large' | 'too_deep' | 'timeout' | 'bad_test';

export interface EventRequest {
  /** Numbered by arrival, from 1; events are published when requests end, so ids may interleave. */
  readonly id: number;
  readonly method: string;
  /** The NAME in /NAME/PATH; '' when the URL had none (outcome 'unrouted'). */
  readonly upstream: string;
  /** The path after the upstream name, without the query. */
  readonly path: string;
  /** When the request arrived, ms since the epoch. */
  readonly time: number;
  /** A client's retry: `x-stainless-retry-count` > 0, or the same upstream, path and body within 30 s. */
  readonly retry?: boolean;
  /** The `x-tapedeck-test` id the request carried (its test's own sequences and faults). */
  readonly test?: string;
}

/** A recorded call as events name it; one object per call, made when the snapshot loads. */
export interface CallRef {
  readonly call: string;
  readonly seq: number;
  readonly file: string;
  /** What the call would cost at the provider (manifest prices first); null when no price is known. */
  readonly costUsd: number | null;
}

/** Why nothing matched: the closest recorded call and how the request differs from it. */
export interface MissInfo {
  readonly closest: CallRef | null;
  readonly diff: readonly string[];
  /** The `MissGroup.key` (live link) this request was kept under. */
  readonly key?: string;
}

export interface EventTimings {
  /** ms from the request's arrival (for refusals) or its complete body (otherwise) to the headers; null when none went out. */
  readonly ttfbMs: number | null;
  /** ms from the same start to the end of the reply (or the client leaving). */
  readonly totalMs: number;
}

interface EventBase {
  readonly request: EventRequest;
  /** The status sent; 0 when the client left before any header went out. */
  readonly status: number;
  /** The faults that fired on this request, in plan order. */
  readonly faults: readonly FiredFault[];
  readonly timings: EventTimings;
  /**
   * The client left before the reply ended (it timed out, aborted or reset): a give-up. Absent
   * otherwise, and for a reply the mock cut itself (a `cutStream` fault, a recorded cut).
   */
  readonly gaveUp?: true;
}

export interface HitEvent extends EventBase {
  readonly outcome: 'hit';
  readonly hit: CallRef;
  /** The hit call's cost, unless a fault replaced the reply with an error (no provider bills those). */
  readonly costAvoidedUsd: number | null;
}

export interface MissEvent extends EventBase {
  readonly outcome: 'miss';
  readonly miss: MissInfo;
}

/** A miss that `--passthrough` forwarded; `answered` false when the upstream could not be reached. */
export interface PassthroughEvent extends EventBase {
  readonly outcome: 'passthrough';
  readonly answered: boolean;
  readonly miss: MissInfo;
}

/** A miss that `--record-misses` (or the desktop's *record it*) forwarded and saved as a new call. */
export interface RecordedEvent extends EventBase {
  readonly outcome: 'recorded';
  /** The call written. */
  readonly recorded: CallRef;
  readonly miss: MissInfo;
}

export interface RefusedEvent extends EventBase {
  readonly outcome: 'refused';
  readonly refused: Refusal;
  readonly reason: string;
}

/** A URL without an upstream name (`/`): answered 404 with how to address the mock. */
export interface UnroutedEvent extends EventBase {
  readonly outcome: 'unrouted';
}

export type MockEvent =
  HitEvent | MissEvent | PassthroughEvent | RecordedEvent | RefusedEvent | UnroutedEvent;
export type Outcome = MockEvent['outcome'];

/** A listener may return a promise; the bus never waits for it, and a rejection is only logged. */
export type MockEventListener = (event: MockEvent) => void | Promise<void>;

export interface MockEvents {
  /** Calls `listener` with every event from now on, in the order requests end; returns the unsubscribe. */
  subscribe(listener: MockEventListener): () => void;
}

export class EventBus implements MockEvents {
  // Copied on change, never on publish: a listener that unsubscribes mid-publish is safe.
  private listeners: readonly MockEventListener[] = [];
  private readonly failed = new WeakSet<MockEventListener>();

  constructor(private readonly log: (line: string) => void) {}

  subscribe(listener: MockEventListener): () => void {
    // Wrapped, so the same function subscribed twice is two subscriptions, each removed once.
    const own: MockEventListener = (e) => listener(e);
    this.listeners = [...this.listeners, own];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== own);
    };
  }

  /** Called after the reply is finished: a listener can slow the loop, never the reply it reports. */
  publish(event: MockEvent): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      const listener = listeners[i] as MockEventListener;
      try {
        const out = listener(event);
        if (out instanceof Promise) out.catch((e: unknown) => this.failure(listener, e));
      } catch (e) {
        this.failure(listener, e);
      }
    }
  }

  /** Said once per listener: a listener that throws on every event must not flood the log. */
  private failure(listener: MockEventListener, e: unknown): void {
    if (this.failed.has(listener)) return;
    this.failed.add(listener);
    this.log(
      `tapedeck: an event subscriber failed (further failures of it are not shown): ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
