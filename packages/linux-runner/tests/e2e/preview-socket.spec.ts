/**
 * The live preview as the original runner's WebSocket clients and browsers use it: the component (bundled from
 * the sources) runs the demo object detection model on an image with a red and a blue square; a `ws` client
 * speaks the original's messages, plain HTTP requests check who may come in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BLUE,
  demoModelEnv,
  demoRunnerSets,
  freePort,
  RED,
  squaresImage,
  type ComponentProcess,
  type Payload,
} from '@ei-gg/testbench';
import sharp from 'sharp';
import { runnerProcess } from '../support/runner-bundle';
import { PreviewSocket, UpgradeRefused, type PreviewMessage } from '../support/preview-socket';

let dir: string;
let runner: ComponentProcess | undefined;
let client: PreviewSocket | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-lr-preview-'));
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await runner?.kill();
  runner = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The runner on a looping image with a red and a blue square, its preview on a free port. */
async function start(settings: Record<string, string>): Promise<{ r: ComponentProcess; port: number }> {
  const images = path.join(dir, 'images');
  await squaresImage(path.join(images, 'squares.png'), 64, [
    { colour: RED, x: 4, y: 4, size: 20 },
    { colour: BLUE, x: 36, y: 30, size: 24 },
  ]);
  const port = await freePort();
  const r = runnerProcess(
    [
      '--transport',
      'stdout',
      ...demoRunnerSets(dir, { input: `images-loop:${images}`, preview_port: String(port), ...settings }),
    ],
    { env: demoModelEnv({ preset: 'object-detection', inferenceMs: 20 }), cwd: dir },
  );
  runner = r;
  await r.take('/command/output', (p) => p.result?.status === 'started');
  return { r, port };
}

async function status(r: ComponentProcess): Promise<Record<string, unknown>> {
  const reply = await r.command({ cmd: 'get_status' }, (p) => typeof p.result?.status === 'object');
  return reply.result!.status as Record<string, unknown>;
}

const boxesOf = (p: Payload) => (p.box as { label: string }[] | undefined) ?? [];
const boxCount = (m: PreviewMessage) => (m.result as { bounding_boxes: unknown[] }).bounding_boxes.length;

/** A GET with the Host header a browser would send for `host` (fetch may not set Host). */
function getWithHost(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

it("speaks the original runner's WebSocket messages: hello, classification, camera preview, thresholds", async () => {
  const { r, port } = await start({});
  expect(await status(r)).toMatchObject({
    web: { preview: { url: `http://127.0.0.1:${port}/`, token_required: false } },
  });

  client = await PreviewSocket.connect(`ws://127.0.0.1:${port}/`);
  expect(await client.nextOfType('hello')).toMatchObject({
    project: { id: 4242, name: 'fixture object-detection', owner: 'ei-gg tests' },
    modelParameters: {
      model_type: 'object_detection',
      image_input_width: 64,
      thresholds: [{ id: 5, type: 'object_detection', min_score: 0.5 }],
    },
    inferencingEngine: expect.any(Object),
  });
  const classification = await client.nextOfType('classification');
  expect(classification).toEqual({
    type: 'classification',
    result: {
      bounding_boxes: [
        { label: 'blue', value: 0.99, x: 36, y: 30, width: 24, height: 24 },
        { label: 'red', value: 0.99, x: 4, y: 4, width: 20, height: 20 },
      ],
      object_tracking: expect.any(Array),
    },
    timeMs: expect.any(Number),
  });

  // Frames only for a client that asked for them.
  client.send({ type: 'set-camera-preview', enabled: true, messageId: 'p1' });
  expect(await client.nextOfType('handling-message-success')).toEqual({
    type: 'handling-message-success',
    messageId: 'p1',
    message: JSON.stringify({ type: 'set-camera-preview', enabled: true, messageId: 'p1' }),
  });
  const frame = String((await client.nextOfType('camera-preview')).image);
  expect(frame).toMatch(/^data:image\/jpeg;base64,/);
  const jpeg = Buffer.from(frame.slice(frame.indexOf(',') + 1), 'base64');
  expect(await sharp(jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 64, height: 64 });

  // A threshold above every box's score: the model returns no boxes, and nothing is published (empty results
  // are not); inferences go on.
  client.send({ type: 'threshold-override', id: 5, key: 'min_score', value: 0.999, messageId: 7 });
  expect(await client.next((m) => m.messageId === 7)).toMatchObject({ type: 'handling-message-success' });
  const emptyResults = async (count: number) => {
    for (let i = 0; i < count; i++) await client!.next((m) => m.type === 'classification' && boxCount(m) === 0);
  };
  await emptyResults(3);
  const before = (await status(r)).inferences as { seen: number; published: number };
  await emptyResults(5);
  const after = (await status(r)).inferences as { seen: number; published: number };
  expect(after.seen).toBeGreaterThanOrEqual(before.seen + 5);
  expect(after.published).toBe(before.published);
  // And back: boxes are published again.
  client.send({ type: 'threshold-override', id: 5, key: 'min_score', value: 0.5, messageId: 8 });
  expect(await client.next((m) => m.messageId === 8)).toMatchObject({ type: 'handling-message-success' });
  const republished = await r.next('/inference/output', (p) => boxesOf(p).length === 2, Date.now());
  expect(boxesOf(republished.payload).map((b) => b.label)).toEqual(['blue', 'red']);
  client.send({ type: 'threshold-override', id: 5, key: 'min_score', value: 0.999, messageId: 9 });
  await client.next((m) => m.messageId === 9);
  client.close();
  client = await PreviewSocket.connect(`ws://127.0.0.1:${port}/`);
  expect(await client.nextOfType('hello')).toMatchObject({
    modelParameters: { thresholds: [{ id: 5, min_score: 0.999 }] },
  });

  // Bad messages: an error answer naming what was wrong and what is allowed; the socket stays open.
  const errorFor = async (message: object | string, messageId?: unknown) => {
    client!.send(message);
    const answer = await client!.nextOfType('handling-message-error');
    expect(answer.messageId).toEqual(messageId);
    expect(answer.message).toBe(typeof message === 'string' ? message : JSON.stringify(message));
    return answer.error;
  };
  expect(await errorFor('not json')).toMatch(/^message is not JSON/);
  expect(await errorFor({ type: 'reboot', messageId: 1 }, 1)).toBe(
    'Invalid "type" (reboot); expected one of: threshold-override, set-camera-preview, toggle-camera-preview',
  );
  expect(await errorFor({ type: 'set-camera-preview', enabled: 'yes' })).toBe(
    'Invalid value for "enabled", should be a boolean (type: string, value: "yes")',
  );
  expect(await errorFor({ type: 'threshold-override', id: 5, key: 'min_score', value: '0.3' })).toMatch(
    /^Invalid value for "value", should be a finite number/,
  );
  expect(
    await errorFor({ type: 'threshold-override', id: 99, key: 'min_score', value: 0.3, messageId: 'x' }, 'x'),
  ).toBe(
    `Failed to set threshold "min_score" (block ID: 99): model ${path.join(path.resolve(__dirname, '../../demo'), 'demo-model.js')} has no threshold min_score on learn block 99; it has: 5 (min_score)`,
  );
  client.send({ type: 'toggle-camera-preview', enabled: false, messageId: 'off' });
  expect(await client.next((m) => m.messageId === 'off')).toMatchObject({ type: 'handling-message-success' });
});

it('bound beyond loopback: every request needs the token (401), other origins get 403, the URL is in get_status', async () => {
  const { r, port } = await start({ preview_host: '0.0.0.0' });
  const { web } = (await status(r)) as { web: { preview: { url: string; token_required: boolean } } };
  expect(web.preview.token_required).toBe(true);
  const token = new URL(web.preview.url).searchParams.get('token')!;
  expect(token).toMatch(/^[\w-]{43}$/);
  expect(new URL(web.preview.url).port).toBe(String(port));
  expect(r.logs()).not.toContain(token);
  const base = `http://127.0.0.1:${port}`;

  const refused = await fetch(`${base}/`);
  expect(refused.status).toBe(401);
  expect(await refused.text()).toMatch(/^401 Unauthorized: this runner listens beyond loopback: send the access token/);
  for (const path of ['/preview.js', '/preview.css', '/nothing-here'])
    expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 401]);
  expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(401);
  expect((await fetch(`${base}/?token=wrong-token-0123456789`)).status).toBe(401);
  const upgrade = await PreviewSocket.connect(`ws://127.0.0.1:${port}/`).catch((err: unknown) => err);
  expect(upgrade).toBeInstanceOf(UpgradeRefused);
  expect(upgrade).toMatchObject({ status: 401, body: expect.stringContaining('access token') });

  // Opened with ?token=: an HttpOnly SameSite=Strict cookie, and the page without the token in its address.
  const opened = await fetch(`${base}/?token=${token}`, { redirect: 'manual' });
  expect(opened.status).toBe(303);
  expect(opened.headers.get('location')).toBe('/');
  const cookie = opened.headers.get('set-cookie')!;
  expect(cookie).toMatch(/^ei_gg_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
  const page = await fetch(`${base}/`, { headers: { cookie: cookie.split(';')[0] } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(await page.text()).toContain('<script src="/preview.js"></script>');
  expect([...page.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
  const bearer = { authorization: `Bearer ${token}` };
  expect((await fetch(`${base}/preview.js`, { headers: bearer })).status).toBe(200);

  // Another site's page may not use the token the browser holds.
  const crossSite = await fetch(`${base}/`, { headers: { ...bearer, origin: 'http://evil.example' } });
  expect(crossSite.status).toBe(403);
  expect(await crossSite.text()).toContain('cross-origin request from http://evil.example refused');
  const crossSocket = await PreviewSocket.connect(`ws://127.0.0.1:${port}/`, {
    ...bearer,
    origin: 'http://evil.example',
  }).catch((err: unknown) => err);
  expect(crossSocket).toMatchObject({ status: 403 });

  const post = await fetch(`${base}/`, { method: 'POST', headers: bearer });
  expect(post.status).toBe(405);
  expect(post.headers.get('allow')).toBe('GET, HEAD');
  expect(await post.text()).toBe(
    '405 Method Not Allowed: method POST is not allowed here: the preview only answers GET\n',
  );
  const missing = await fetch(`${base}/admin`, { headers: bearer });
  expect(missing.status).toBe(404);
  expect(await missing.text()).toContain('nothing at /admin: the preview page is at /');

  // With the token (the page's own origin, the query or the cookie) the socket works.
  client = await PreviewSocket.connect(`ws://127.0.0.1:${port}/?token=${token}`, { origin: base });
  expect(await client.nextOfType('hello')).toMatchObject({ project: { id: 4242 } });
  expect(r.logs()).not.toContain(token);
});

it('bound to loopback: no token, but only loopback host names (no DNS rebinding); back after a restart', async () => {
  const { r, port } = await start({});
  expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  expect((await fetch(`http://localhost:${port}/preview.css`)).status).toBe(200);
  expect(await getWithHost(port, `localhost:${port}`)).toMatchObject({ status: 200 });
  const rebound = await getWithHost(port, `attacker.example:${port}`);
  expect(rebound.status).toBe(403);
  expect(rebound.body).toContain(`Host attacker.example:${port} refused: this runner listens on loopback`);

  // A restart closes the clients (going away) and serves the page again on the same port.
  client = await PreviewSocket.connect(`ws://127.0.0.1:${port}/`);
  await client.nextOfType('hello');
  const closed = new Promise<number>((resolve) => client!.socket.once('close', resolve));
  await r.command({ cmd: 'restart' }, (p) => p.result?.restart !== undefined);
  expect(await closed).toBe(1001);
  await r.take('/command/output', (p) => p.result?.status === 'started');
  client = await PreviewSocket.connect(`ws://127.0.0.1:${port}/`);
  expect(await client.nextOfType('classification')).toMatchObject({ result: { bounding_boxes: expect.any(Array) } });
});
