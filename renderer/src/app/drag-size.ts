/**
 * A size the user drags (the detail pane's width, the bottom panel's height), kept across
 * sessions in localStorage. The handle sits on the panel's leading edge, so dragging towards the
 * panel's far side (left for a right-hand pane, up for a bottom panel) makes it larger.
 */
import { useState, type PointerEvent } from 'react';

export interface DragSizeOptions {
  /** localStorage key. */
  key: string;
  min: number;
  /** The largest size allowed now (the window may have changed since the last drag). */
  max(): number;
  /** The size without a saved one. */
  initial(): number;
  axis: 'x' | 'y';
}

export function useDragSize(
  o: DragSizeOptions,
): [number, (e: PointerEvent<HTMLDivElement>) => void] {
  const [size, setSize] = useState(() => {
    const saved = Number(localStorage.getItem(o.key));
    return Number.isFinite(saved) && saved >= o.min ? saved : o.initial();
  });
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const handle = e.currentTarget;
    handle.setPointerCapture(e.pointerId);
    const at = (ev: { clientX: number; clientY: number }) =>
      o.axis === 'x' ? ev.clientX : ev.clientY;
    const startAt = at(e);
    const start = size;
    let last = start;
    const move = (ev: globalThis.PointerEvent) => {
      last = Math.max(o.min, Math.min(o.max(), start + startAt - at(ev)));
      setSize(last);
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      localStorage.setItem(o.key, String(last));
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  };
  return [size, onPointerDown];
}
