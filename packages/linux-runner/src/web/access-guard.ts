import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** What a request that may not pass gets: the HTTP status and a message saying what to send. */
export interface Refusal {
  status: 401 | 403;
  message: string;
}

/** The cookie the preview page keeps the token in after it was opened with `?token=` (HttpOnly, SameSite=Strict). */
export const TOKEN_COOKIE = 'ei_gg_token';

/**
 * Who may use the runner's web servers (the preview page and the HTTP inference API). Bound to loopback, only
 * processes of this device can connect and no token is asked for. Bound beyond loopback, every HTTP and WebSocket
 * request must carry the token (`Authorization: Bearer`, `?token=`, or the page's cookie), compared in constant
 * time. Browsers' cross-site requests are refused in both cases: a page elsewhere must not drive the model.
 */
export class AccessGuard {
  private readonly digest: Buffer;

  /** `token`: from the configured secret, else `AccessGuard.randomToken()` at every start. */
  constructor(
    readonly token: string,
    readonly bindHost: string,
  ) {
    if (token.length < 16) throw new Error('the web access token must have at least 16 characters');
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
      // Without a token, a page elsewhere whose name was made to resolve to 127.0.0.1 (DNS rebinding) would be
      // same-origin with itself: only loopback names may be asked for.
      const host = request.headers.host ?? '';
      if (!isLoopbackHost(hostName(host)))
        return {
          status: 403,
          message: `host ${host || '(none)'} is not a loopback address of this runner: open it as 127.0.0.1 or localhost`,
        };
      return undefined;
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

/** 127.0.0.0/8, ::1, localhost: reachable only from this device. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  if (bare.startsWith('::ffff:')) return isLoopbackHost(bare.slice('::ffff:'.length));
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** `host[:port]` or `[v6]:port` without the port. */
function hostName(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  return authority.split(':')[0];
}

function presentedToken(request: IncomingMessage): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  const query = new URL(request.url ?? '/', 'http://runner').searchParams.get('token');
  if (query) return query;
  return cookie(request.headers.cookie, TOKEN_COOKIE);
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
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
