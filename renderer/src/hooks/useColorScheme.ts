/** Whether the system asks for dark colours, following changes while the app runs. */
import { useSyncExternalStore } from 'react';

const query = window.matchMedia('(prefers-color-scheme: dark)');

function subscribe(listener: () => void): () => void {
  query.addEventListener('change', listener);
  return () => query.removeEventListener('change', listener);
}

export function usePrefersDark(): boolean {
  return useSyncExternalStore(subscribe, () => query.matches);
}
