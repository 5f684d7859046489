import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { LinuxRunnerError } from '../errors';

/** What a request that may not pass gets: the HTTP status and a message saying what to send. */
export interface Refusal {
  status: 401 | 403;
  message: string;
}

/** The shortest access token accepted: a configured one shorter than this is guessable. */
export const MIN_TOKEN_LENGTH = 16;

/** The cookie the preview page keeps the token in after it was opened with `?token=` (HttpOnly, SameSite=Strict). */
export const TOKEN_COOKIE = 'ei_gg_token';

/**
 * Who may use the runner's web servers (the preview page and the HTTP inference API). Bound to loopback, only
 * processes of this device can connect and no token is asked for. Bound beyond loopback, every HTTP and WebSocket
 * request must carry the token (`Authorization: Bearer`, `?token=`, or the page's cookie), compared in constant
 * time. Browsers' cross-site requests are refused in both cases: a page elsewhere must not drive the model. On
 * loopback the Host header must name loopback too, or a site whose name an attacker re-points to 127.0.0.1 (DNS
 * rebinding) would be the page's own origin and pass without a token.
 */
export class AccessGuard {
  private readonly digest: Buffer;

  /** `token`: from the configured secret, else `AccessGuard.randomToken()` at every start. */
  constructor(
    readonly token: string,
    readonly bindHost: string,
  ) {
    if (token.length < MIN_TOKEN_LENGTH)
      throw new LinuxRunnerError(
        'WEB_TOKEN_INVALID',
        `the web access token (web_token_secret_key) has ${token.length} characters; at least ${MIN_TOKEN_LENGTH} are needed`,
        { context: { length: token.length } },
      );
    this.digest = sha256(token);
  }

  /** 32 random bytes, URL-safe: a new one per start unless a secret gives it. */
  static randomToken(): string {
    return randomBytes(32).toString('base64url');
  }

  /** Whether requests need the token: the server listens beyond loopback. */
  get tokenRequired(): boolean {
    return !isLoopbackHost(this.bindHost);
  }

  /** Undefined when the request may pass; else why not. For WebSocket upgrades too (same headers). */
  check(request: IncomingMessage): Refusal | undefined {
    const origin = request.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, request.headers.host)) {
      return { status: 403, message: `cross-origin request from ${origin} refused: use the page this runner serves` };
    }
    if (!this.tokenRequired) {
      if (isLoopbackHost(hostName(request.headers.host))) return undefined;
      return {
        status: 403,
        message: `Host ${request.headers.host ?? '(none)'} refused: this runner listens on loopback; use localhost, 127.0.0.1 or [::1]`,
      };
    }
    const given = presentedToken(request);
    if (given === undefined)
      return {
        status: 401,
        message:
          'this runner listens beyond loopback: send the access token (Authorization: Bearer <token>, or ?token=); get_status on the command topic gives the page URL with it',
      };
    // Digests have equal lengths, so the comparison takes the same time whatever was sent.
    if (!timingSafeEqual(sha256(given), this.digest)) return { status: 401, message: 'wrong access token' };
    return undefined;
  }
}

/** 127.0.0.0/8, ::1 (also written out, or IPv4-mapped), localhost: reachable only from this device. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 6) {
    // The URL parser writes every form the same way: 0:0:0:0:0:0:0:1 as ::1, ::ffff:127.0.0.1 as ::ffff:7f00:1.
    const canonical = new URL(`http://[${bare}]`).hostname.slice(1, -1);
    if (canonical === '::1') return true;
    const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(canonical);
    return mapped !== null && parseInt(mapped[1], 16) >> 8 === 127;
  }
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** The name or address of a Host header, without its port. */
function hostName(host: string | undefined): string {
  if (!host) return '';
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return '';
  }
}

function presentedToken(request: IncomingMessage): string | undefined {
  // The scheme is case-insensitive (RFC 9110); browsers and curl send "Bearer".
  const bearer = /^bearer +(.*)$/i.exec(request.headers.authorization ?? '');
  if (bearer) return bearer[1].trim();
  const query = queryToken(request.url);
  if (query) return query;
  return cookie(request.headers.cookie, TOKEN_COOKIE);
}

function queryToken(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://runner').searchParams.get('token');
  } catch {
    return null; // an absolute-form request target that does not parse carries no token
  }
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return value.join('='); // a malformed %-escape: compared as sent (and so refused), not thrown
    }
  }
  return undefined;
}

/** The browser's Origin against the Host it asked for: same scheme-less authority. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
