import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { TOKEN_COOKIE, type AccessGuard } from '../access-guard';
import { PREVIEW_PAGE } from './page/preview-page';
import { PREVIEW_SCRIPT } from './page/preview-script';
import { PREVIEW_STYLE } from './page/preview-style';

interface Asset {
  type: string;
  body: string;
}

/** The page and its parts, all served from memory (no CDN: the page works on a device without internet). */
const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['/', { type: 'text/html; charset=utf-8', body: PREVIEW_PAGE }],
  ['/preview.js', { type: 'text/javascript; charset=utf-8', body: PREVIEW_SCRIPT }],
  ['/preview.css', { type: 'text/css; charset=utf-8', body: PREVIEW_STYLE }],
]);

/**
 * Every response: the page may load only its own parts and talk only to its own socket, may not be framed by
 * another site, and nothing is cached (the token is in the first request's URL). No CORS headers at all: other
 * sites' pages cannot read anything from here.
 */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/**
 * The preview's HTTP requests: GET/HEAD of the page and its script and style, each checked by the guard. A page
 * opened with a valid `?token=` gets the token as an HttpOnly, SameSite=Strict cookie (for its own script and
 * socket) and is sent to `/`, so the token leaves the address bar and the browser's history.
 */
export function previewRequestHandler(
  guard: AccessGuard,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const refusal = guard.check(request);
    if (refusal) return sendError(response, refusal.status, refusal.message);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return sendError(response, 405, `method ${request.method} is not allowed here: the preview only answers GET`);
    }
    const url = new URL(request.url ?? '/', 'http://runner');
    const asset = ASSETS.get(url.pathname);
    if (!asset)
      return sendError(
        response,
        404,
        `nothing at ${url.pathname}: the preview page is at /, its live results on the WebSocket at /`,
      );
    if (url.searchParams.has('token') && guard.tokenRequired) {
      response.writeHead(303, {
        ...SECURITY_HEADERS,
        'Set-Cookie': `${TOKEN_COOKIE}=${encodeURIComponent(guard.token)}; Path=/; HttpOnly; SameSite=Strict`,
        Location: url.pathname,
      });
      return void response.end();
    }
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': asset.type,
      'Content-Length': Buffer.byteLength(asset.body),
    });
    response.end(request.method === 'HEAD' ? undefined : asset.body);
  };
}

function sendError(response: ServerResponse, status: number, message: string): void {
  const body = `${status} ${STATUS_CODES[status]}: ${message}\n`;
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Refuses a WebSocket upgrade with a plain HTTP answer, as the same request over HTTP would get. */
export function refuseUpgrade(socket: Socket, status: number, message: string): void {
  const body = `${status} ${STATUS_CODES[status]}: ${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
