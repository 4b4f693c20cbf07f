/**
 * Rows arrive in bursts (a batch every 50 ms, 1,000 a second); the page applies them at most once
 * per frame. Arrivals go into a plain array outside React and one scheduled flush hands them all
 * over, so however many batches come between two frames, the UI re-renders once.
 */
/** Runs `run` later (requestAnimationFrame in the page) and answers a cancel function. */
export type Schedule = (run: () => void) => () => void;

export interface RowBatcher<T> {
  add(items: readonly T[]): void;
  /** Applies what is pending now (used before a reset, so nothing old lands after it). */
  flush(): void;
  /** Drops what is pending and cancels the scheduled flush. */
  dispose(): void;
  readonly pending: number;
}

export function createRowBatcher<T>(
  apply: (items: T[]) => void,
  schedule: Schedule,
): RowBatcher<T> {
  let pending: T[] = [];
  let cancel: (() => void) | null = null;
  const flush = () => {
    cancel?.();
    cancel = null;
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    apply(items);
  };
  return {
    add(items) {
      if (items.length === 0) return;
      for (const item of items) pending.push(item);
      cancel ??= schedule(() => {
        cancel = null;
        flush();
      });
    },
    flush,
    dispose() {
      cancel?.();
      cancel = null;
      pending = [];
    },
    get pending() {
      return pending.length;
    },
  };
}
