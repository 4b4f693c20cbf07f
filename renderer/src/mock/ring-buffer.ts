/**
 * A bounded log: the newest `capacity` items, older ones dropped and counted. The live log keeps
 * its rows here, outside React, so a burst of 1,000 rows a second costs no allocation per row.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  /** Index of the oldest item. */
  private head = 0;
  private count = 0;
  /** Items pushed out to make room, since the last clear. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be ≥ 1');
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(items: readonly T[]): void {
    // Only the last `capacity` of a huge batch can stay: the rest count as dropped at once.
    const skip = Math.max(0, items.length - this.capacity);
    this.dropped += skip;
    for (let i = skip; i < items.length; i++) {
      const item = items[i] as T;
      if (this.count < this.capacity) {
        this.items[(this.head + this.count) % this.capacity] = item;
        this.count++;
      } else {
        this.items[this.head] = item;
        this.head = (this.head + 1) % this.capacity;
        this.dropped++;
      }
    }
  }

  /** The i-th item, 0 the oldest kept. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.items[(this.head + i) % this.capacity];
  }

  /** Oldest first. */
  toArray(): T[] {
    const out = new Array<T>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.head + i) % this.capacity] as T;
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.dropped = 0;
  }
}
