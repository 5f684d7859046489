/**
 * The access guard of the runner's web servers, on real HTTP requests to a server on 127.0.0.1: the guard is told
 * which address the server is bound to, so beyond-loopback rules are tested without leaving the machine.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessGuard, isLoopbackHost, TOKEN_COOKIE } from '../../src/web/access-guard';

// The module object itself (not an import namespace), so that the guard's calls can be observed.
const crypto = process.getBuiltinModule('node:crypto');
const TOKEN = 'correct-horse-battery-staple-0123';
let server: Server;
let guard: AccessGuard;

beforeAll(async () => {
  server = createServer((req, res) => {
    try {
      const refusal = guard.check(req);
      res.statusCode = refusal?.status ?? 200;
      res.end(refusal?.message ?? 'ok');
    } catch (err) {
      res.statusCode = 500; // a guard that throws fails its test instead of leaving the request unanswered
      res.end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => jest.restoreAllMocks());

/** A GET with exactly these headers (Host defaults to the server's address), answered status and body. */
async function get(path: string, headers: IncomingHttpHeaders = {}): Promise<{ status: number; body: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject).end();
  });
}

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    'localhost',
    'LOCALHOST',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '[::ffff:127.0.0.1]',
    '0:0:0:0:0:ffff:127.1.2.3',
    '::ffff:7f00:1',
  ])('%s is loopback', (host) => expect(isLoopbackHost(host)).toBe(true));

  it.each(['0.0.0.0', '::', '192.168.1.20', '::ffff:10.0.0.1', 'localhost.example.com', '128.0.0.1', '127.1', ''])(
    '%s is not',
    (host) => expect(isLoopbackHost(host)).toBe(false),
  );
});

describe('bound to loopback', () => {
  beforeEach(() => (guard = new AccessGuard(TOKEN, '127.0.0.1')));

  it('asks no token of this device', async () => {
    expect(guard.tokenRequired).toBe(false);
    expect(await get('/api/info')).toEqual({ status: 200, body: 'ok' });
    expect((await get('/api/info', { host: 'localhost:4912' })).status).toBe(200);
    expect((await get('/api/info', { host: '[::1]:4912' })).status).toBe(200);
  });

  it('refuses a Host that is not loopback (DNS rebinding), naming the names that work', async () => {
    expect(await get('/api/info', { host: 'attacker.example:4912' })).toEqual({
      status: 403,
      body: 'Host attacker.example:4912 refused: this runner listens on loopback; use localhost, 127.0.0.1 or [::1]',
    });
  });

  it("refuses another site's page (Origin is not the Host)", async () => {
    const { port } = server.address() as AddressInfo;
    expect(await get('/api/info', { origin: 'http://evil.example' })).toEqual({
      status: 403,
      body: 'cross-origin request from http://evil.example refused: use the page this runner serves',
    });
    expect((await get('/api/info', { origin: 'null' })).status).toBe(403);
    expect((await get('/api/info', { origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });
});

describe('bound beyond loopback', () => {
  beforeEach(() => (guard = new AccessGuard(TOKEN, '0.0.0.0')));

  it('asks for the token, saying how to send it', async () => {
    expect(guard.tokenRequired).toBe(true);
    const refused = await get('/api/info');
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('send the access token (Authorization: Bearer <token>, or ?token=)');
  });

  it('takes the token from the Authorization header (any case of Bearer), the query or the cookie', async () => {
    expect((await get('/api/info', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get('/api/info', { authorization: `bearer ${TOKEN}` })).status).toBe(200);
    expect((await get(`/api/info?token=${encodeURIComponent(TOKEN)}`)).status).toBe(200);
    expect((await get('/', { cookie: `theme=dark; ${TOKEN_COOKIE}=${encodeURIComponent(TOKEN)}` })).status).toBe(200);
    // From any host name: beyond loopback the token is what counts.
    expect((await get('/', { host: 'runner.local:4912', authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it('answers 401 to a wrong token wherever it is sent, and to a malformed cookie instead of failing', async () => {
    const wrong = { status: 401, body: 'wrong access token' };
    expect(await get('/api/info', { authorization: `Bearer ${TOKEN}x` })).toEqual(wrong);
    expect(await get('/api/info?token=short')).toEqual(wrong);
    expect(await get('/api/info', { cookie: `${TOKEN_COOKIE}=%E0%A4%A` })).toEqual(wrong);
    expect((await get('/api/info', { authorization: `Basic ${TOKEN}` })).status).toBe(401);
  });

  it('compares every token, whatever its length, in constant time on equal-length digests', async () => {
    const compare = jest.spyOn(crypto, 'timingSafeEqual');
    for (const given of ['x', TOKEN.slice(1), `${TOKEN}x`, 'y'.repeat(5000), TOKEN])
      await get('/api/info', { authorization: `Bearer ${given}` });
    expect(compare).toHaveBeenCalledTimes(5);
    for (const [a, b] of compare.mock.calls) expect([a.byteLength, b.byteLength]).toEqual([32, 32]);
  });

  it('still refuses a cross-origin request that carries the token', async () => {
    expect((await get('/api/info', { origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` })).status).toBe(
      403,
    );
  });
});

it('refuses a token too short to be safe, naming the setting', () => {
  expect(() => new AccessGuard('short', '0.0.0.0')).toThrow(
    'the web access token (web_token_secret_key) has 5 characters; at least 16 are needed',
  );
  expect(AccessGuard.randomToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
});
