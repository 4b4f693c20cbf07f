/** Errors the host reports to the UI: the RpcError code decides the HTTP status in browser mode. */
import { RPC_STATUS, type RpcError } from '../../shared/desktop-api.js';

export type HostErrorCode = RpcError['code'];

export class HostError extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HostError';
  }
}

export const STATUS_OF: Record<HostErrorCode, number> = RPC_STATUS;

/** The `{ message, code }` a transport sends; anything not thrown on purpose is `internal`. */
export function rpcErrorOf(e: unknown): RpcError {
  if (e instanceof HostError) return { message: e.message, code: e.code };
  return { message: `internal error: ${(e as Error)?.message ?? String(e)}`, code: 'internal' };
}
