/** The drag handle between the table and the detail pane; the width is kept across sessions. */
import type { PointerEvent } from 'react';
import { useDragSize } from './drag-size.js';

const KEY = 'tapedeck.detailWidth';
const MIN = 320;
/**
 * What the pane leaves to the calls table at least (styles.css caps `.detail` the same way, so a
 * window made narrower later gives way too): enough for #, model, status and cost.
 */
const TABLE_MIN = 480;

export function useDetailWidth(): [number, (e: PointerEvent<HTMLDivElement>) => void] {
  return useDragSize({
    key: KEY,
    min: MIN,
    max: () => window.innerWidth - TABLE_MIN,
    initial: () => Math.round(window.innerWidth * 0.42),
    axis: 'x',
  });
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
