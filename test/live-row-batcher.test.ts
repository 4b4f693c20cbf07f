/**
 * Live rows are applied at most once per frame: any number of batches between two frames reach
 * the page as one, in arrival order, and nothing is applied after dispose.
 */
import { describe, expect, it } from 'vitest';
import { createRowBatcher, type Schedule } from '../renderer/src/mock/row-batcher.js';

/** A frame clock the test advances by hand. */
function frames() {
  const queue: Array<(() => void) | null> = [];
  const schedule: Schedule = (run) => {
    const i = queue.push(run) - 1;
    return () => {
      queue[i] = null;
    };
  };
  const tick = () => {
    const due = queue.splice(0);
    for (const run of due) run?.();
  };
  const scheduled = () => queue.filter(Boolean).length;
  return { schedule, tick, scheduled };
}

describe('createRowBatcher', () => {
  it('applies every batch of a frame at once, in order', () => {
    const clock = frames();
    const applied: number[][] = [];
    const b = createRowBatcher<number>((rows) => applied.push(rows), clock.schedule);
    for (let i = 0; i < 20; i++) b.add([i * 3, i * 3 + 1, i * 3 + 2]);
    expect(applied).toEqual([]);
    expect(clock.scheduled()).toBe(1);
    expect(b.pending).toBe(60);
    clock.tick();
    expect(applied).toHaveLength(1);
    expect(applied[0]).toEqual(Array.from({ length: 60 }, (_, i) => i));
    b.add([60]);
    clock.tick();
    expect(applied).toEqual([applied[0], [60]]);
  });

  it('schedules nothing for an empty batch, nor after a flush with nothing pending', () => {
    const clock = frames();
    let calls = 0;
    const b = createRowBatcher<number>(() => calls++, clock.schedule);
    b.add([]);
    expect(clock.scheduled()).toBe(0);
    b.flush();
    expect(calls).toBe(0);
  });

  it('flushes now on demand, and the scheduled frame then has nothing to do', () => {
    const clock = frames();
    const applied: number[][] = [];
    const b = createRowBatcher<number>((rows) => applied.push(rows), clock.schedule);
    b.add([1, 2]);
    b.flush();
    expect(applied).toEqual([[1, 2]]);
    expect(clock.scheduled()).toBe(0);
    clock.tick();
    expect(applied).toEqual([[1, 2]]);
  });

  it('drops what is pending on dispose', () => {
    const clock = frames();
    const applied: number[][] = [];
    const b = createRowBatcher<number>((rows) => applied.push(rows), clock.schedule);
    b.add([1]);
    b.dispose();
    clock.tick();
    expect(applied).toEqual([]);
    expect(b.pending).toBe(0);
  });
});
