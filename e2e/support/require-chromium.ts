/**
 * Every browser spec starts the same way: find Chromium, or say why the spec is skipped — and
 * where CI requires the browser (E2E_REQUIRED=1), fail instead of skipping.
 */
import { describe, it } from 'vitest';
import { e2eRequired, findChromium, skipMessage } from './chromium.js';

/** Chromium's path, or null (the spec then skips, with one line saying why). */
export function chromiumFor(what: string): string | null {
  const found = findChromium();
  if (!found) console.warn(skipMessage(what));
  describe.runIf(!found && e2eRequired())(`${what} prerequisites`, () => {
    it('has Chromium, because E2E_REQUIRED=1', () => {
      throw new Error(skipMessage(what) + '; E2E_REQUIRED=1 turns that into this failure');
    });
  });
  return found;
}
