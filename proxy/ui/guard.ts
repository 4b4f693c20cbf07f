/**
 * Who may talk to the browser-mode host. A server on 127.0.0.1 is reachable by every web page the
 * user visits (and, through DNS rebinding, under foreign host names), so each request must carry
 * the session cookie from the start URL's token, name us in Host, and come from our own Origin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SESSION_COOKIE, type RpcError } from '../../shared/desktop-api.js';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Cookies are shared by every port of a host, so two `tapedeck ui` at once would overwrite one
 * cookie; each server sets its own name with the port in it and also accepts the plain name.
 */
export function cookieName(port: number): string {
  return `${SESSION_COOKIE}_${port}`;
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

function cookies(header: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

export interface Guard {
  token: string;
  /** host:port values the server answers to. */
  allowedHosts: Set<string>;
  port: number;
}

/** Host names that reach this server: loopback always, plus the bound address when it is another. */
export function allowedHostsFor(bindHost: string, port: number): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  if (bindHost && bindHost !== '0.0.0.0' && bindHost !== '::')
    names.add(bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost);
  return new Set([...names].map((n) => `${n}:${port}`));
}

export function checkHostAndOrigin(guard: Guard, req: IncomingMessage): Verdict {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!guard.allowedHosts.has(host))
    return {
      ok: false,
      status: 403,
      message: `refused: Host ${JSON.stringify(host)} is not this server`,
    };
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`)
    return {
      ok: false,
      status: 403,
      message: `refused: Origin ${JSON.stringify(origin)} is not this server`,
    };
  return { ok: true };
}

export function hasSession(guard: Guard, req: IncomingMessage): boolean {
  const jar = cookies(req.headers.cookie);
  const values = [...(jar.get(cookieName(guard.port)) ?? []), ...(jar.get(SESSION_COOKIE) ?? [])];
  return values.some((v) => sameSecret(v, guard.token));
}

export function tokenMatches(guard: Guard, given: string | null): boolean {
  return given !== null && sameSecret(given, guard.token);
}

/** Every check a request or WebSocket upgrade must pass, in the order that leaks least. */
export function checkRequest(guard: Guard, req: IncomingMessage): Verdict {
  const where = checkHostAndOrigin(guard, req);
  if (!where.ok) return where;
  if (!hasSession(guard, req))
    return {
      ok: false,
      status: 401,
      message: 'no session: open the URL `tapedeck ui` printed (it carries the token)',
    };
  return { ok: true };
}

/**
 * The `code` of a refused request's JSON error. 401 and 403 are transport refusals, not host
 * errors, so they get codes of their own beside RpcError's.
 */
export function refusalCode(status: number): RpcError['code'] {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  return 'bad_request';
}
