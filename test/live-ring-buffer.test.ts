/** The live log's ring buffer: the newest rows kept in order, the older ones dropped and counted. */
import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../renderer/src/mock/ring-buffer.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('RingBuffer', () => {
  it('keeps everything, oldest first, until it is full', () => {
    const b = new RingBuffer<number>(5);
    b.push([1, 2]);
    b.push([3]);
    expect(b.toArray()).toEqual([1, 2, 3]);
    expect(b.size).toBe(3);
    expect(b.dropped).toBe(0);
    expect(b.at(0)).toBe(1);
    expect(b.at(3)).toBeUndefined();
  });

  it('drops the oldest when full, and counts them', () => {
    const b = new RingBuffer<number>(5);
    for (const n of range(0, 12)) b.push([n]);
    expect(b.toArray()).toEqual([7, 8, 9, 10, 11]);
    expect(b.dropped).toBe(7);
    expect(b.at(0)).toBe(7);
    expect(b.at(4)).toBe(11);
  });

  it('takes a batch larger than itself: only its newest stay', () => {
    const b = new RingBuffer<number>(4);
    b.push([100, 101]);
    b.push(range(0, 10));
    expect(b.toArray()).toEqual([6, 7, 8, 9]);
    expect(b.dropped).toBe(8);
  });

  it('matches a plain array cut to its capacity, batch after batch', () => {
    const b = new RingBuffer<number>(7);
    const all: number[] = [];
    let n = 0;
    for (const size of [3, 0, 5, 1, 9, 2, 7, 7, 4]) {
      const batch = range(n, n + size);
      n += size;
      all.push(...batch);
      b.push(batch);
      expect(b.toArray()).toEqual(all.slice(-7));
      expect(b.dropped).toBe(Math.max(0, all.length - 7));
    }
  });

  it('starts over on clear', () => {
    const b = new RingBuffer<number>(3);
    b.push(range(0, 5));
    b.clear();
    expect(b.toArray()).toEqual([]);
    expect(b.dropped).toBe(0);
    b.push([9]);
    expect(b.toArray()).toEqual([9]);
  });

  it('refuses a capacity below one', () => {
    expect(() => new RingBuffer<number>(0)).toThrow(/capacity/);
  });
});
