/** The `x-tapedeck-test` id of an in-process request, for the replies' and calls' bookkeeping. */
import type { IncomingHttpHeaders } from 'node:http';
import { TEST_HEADER } from '../shared/test-header.js';

export function testOf(headers: IncomingHttpHeaders): string | null {
  const v = headers[TEST_HEADER];
  return typeof v === 'string' && v !== '' ? v : null;
}
