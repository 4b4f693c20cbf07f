/** The drag handle between the table and the detail pane; the width is kept across sessions. */
import { useState, type PointerEvent } from 'react';

const KEY = 'tapedeck.detailWidth';
const MIN = 320;
/**
 * What the pane leaves to the calls table at least (styles.css caps `.detail` the same way, so a
 * window made narrower later gives way too): enough for #, model, status and cost.
 */
const TABLE_MIN = 480;

function initialWidth(): number {
  const saved = Number(localStorage.getItem(KEY));
  return Number.isFinite(saved) && saved >= MIN ? saved : Math.round(window.innerWidth * 0.42);
}

export function useDetailWidth(): [number, (e: PointerEvent<HTMLDivElement>) => void] {
  const [width, setWidth] = useState(initialWidth);
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const handle = e.currentTarget;
    handle.setPointerCapture(e.pointerId);
    const startX = e.clientX;
    const startWidth = width;
    let last = startWidth;
    const move = (ev: globalThis.PointerEvent) => {
      last = Math.max(
        MIN,
        Math.min(window.innerWidth - TABLE_MIN, startWidth + startX - ev.clientX),
      );
      setWidth(last);
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      localStorage.setItem(KEY, String(last));
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  };
  return [width, onPointerDown];
}

export function Splitter(props: { onPointerDown: (e: PointerEvent<HTMLDivElement>) => void }) {
  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label="resize the detail pane"
      onPointerDown={props.onPointerDown}
    />
  );
}
