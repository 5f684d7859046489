/**
 * The HTTP inference API (`http_server_port`) of the runner as Greengrass runs it (the bundle, a child process,
 * stdout transport), on the demo model driven through edge-impulse-linux, with real HTTP from here: the original
 * runner's routes and answers, the token beyond loopback (from a real Secrets Manager stand-in, moto), body
 * limits, bad input, and a flood of requests beside the image loop, which keeps publishing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  demoModelEnv,
  demoRunnerSets,
  freePort,
  GREEN,
  RED,
  BLUE,
  solidImage,
  squaresImage,
  startMoto,
  type ComponentProcess,
  type DemoModelSpec,
  type Moto,
  type Payload,
} from '@ei-gg/testbench';
import { runnerProcess } from '../support/runner-bundle';

let dir: string;
let runner: ComponentProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-lr-http-'));
});

afterEach(async () => {
  await runner?.kill();
  runner = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const isStatus = (status: string) => (p: Payload) => p.result?.status === status;

/** The runner on a loop over `images` with the API on `port`, once it has started (the API listens by then). */
async function start(
  spec: DemoModelSpec,
  images: string,
  settings: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
): Promise<ComponentProcess> {
  runner = runnerProcess(
    ['--transport', 'stdout', ...demoRunnerSets(dir, { input: `images-loop:${images}`, ...settings })],
    { env: { ...env, ...demoModelEnv(spec) }, cwd: dir },
  );
  await runner.take('/command/output', isStatus('started'));
  return runner;
}

async function imageDirectory(): Promise<string> {
  const images = path.join(dir, 'images');
  await solidImage(path.join(images, '1.png'), RED);
  await solidImage(path.join(images, '2.png'), BLUE);
  return images;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function postFeatures(base: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  return call(`${base}/api/features`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

function postImage(base: string, data: Buffer, field = 'file', name = 'image.png'): Promise<Answer> {
  const form = new FormData();
  form.append(field, new Blob([data]), name);
  return call(`${base}/api/image`, { method: 'POST', body: form });
}

/** The JSON answer's object, after checking it is the original's formatting (4-space indent, newline). */
function json(answer: Answer): unknown {
  const value: unknown = JSON.parse(answer.text);
  expect(answer.text).toBe(JSON.stringify(value, null, 4) + '\n');
  expect(answer.headers.get('content-type')).toBe('application/json');
  return value;
}

const PROJECT_HEADERS = {
  'x-ei-owner': 'ei-gg tests',
  'x-ei-project-name': 'fixture image-classification',
  'x-ei-project-version': '1',
};

function projectHeaders(answer: Answer): Record<string, string | null> {
  return Object.fromEntries(Object.keys(PROJECT_HEADERS).map((name) => [name, answer.headers.get(name)]));
}

it("answers the original runner's routes on loopback: info, features, image, with its headers", async () => {
  const port = await freePort();
  await start({ preset: 'image-classification' }, await imageDirectory(), { http_server_port: String(port) });
  const base = `http://127.0.0.1:${port}`;

  const info = await call(`${base}/api/info`);
  expect(info.status).toBe(200);
  expect(projectHeaders(info)).toEqual(PROJECT_HEADERS);
  expect(json(info)).toEqual({
    project: { deploy_version: 1, id: 4242, name: 'fixture image-classification', owner: 'ei-gg tests' },
    modelParameters: expect.objectContaining({
      has_visual_anomaly_detection: false,
      input_features_count: 1024,
      image_input_width: 32,
      image_input_height: 32,
      image_resize_mode: 'squash',
      labels: ['blue', 'green', 'red'],
      sensorType: 'camera',
    }),
  });

  const red = await postFeatures(base, JSON.stringify({ features: new Array(1024).fill(0xff0000) }));
  expect(red.status).toBe(200);
  expect(projectHeaders(red)).toEqual(PROJECT_HEADERS);
  expect(json(red)).toEqual({
    result: { classification: { blue: 0, green: 0, red: 1 }, anomaly: 0.5 },
    timing: { dsp: 1, classification: 1, anomaly: 1 },
  });
  // Decimal strings are numbers, as the original took them (`Number(n)`): the same answer.
  const asStrings = await postFeatures(base, JSON.stringify({ features: new Array(1024).fill(' 16711680 ') }));
  expect(json(asStrings)).toEqual(json(red));

  // 48x48, squashed to the model's 32x32: `resized` says so, as the original does.
  const green = await postImage(base, readFileSync(await solidImage(path.join(dir, 'green.png'), GREEN, 48)));
  expect(green.status).toBe(200);
  expect(projectHeaders(green)).toEqual(PROJECT_HEADERS);
  expect(json(green)).toEqual({
    result: {
      classification: { blue: 0, green: 1, red: 0 },
      anomaly: 0.5,
      resizeMode: 'squash',
      resized: { originalWidth: 48, originalHeight: 48, newWidth: 32, newHeight: 32 },
    },
    timing: { dsp: 1, classification: 1, anomaly: 1 },
  });
});

it('maps boxes back to the pixels of the uploaded image', async () => {
  const port = await freePort();
  await start({ preset: 'object-detection' }, await imageDirectory(), { http_server_port: String(port) });
  // 128x128, squashed to the model's 64x64: the model finds the red square at 8,8 16x16 of its input.
  const image = await squaresImage(path.join(dir, 'squares.png'), 128, [{ colour: RED, x: 16, y: 32, size: 32 }]);
  const answer = await postImage(`http://127.0.0.1:${port}`, readFileSync(image), 'file', 'squares.png');
  expect(answer.status).toBe(200);
  expect(json(answer)).toMatchObject({
    result: {
      bounding_boxes: [{ label: 'red', value: 0.99, x: 16, y: 32, width: 32, height: 32 }],
      resizeMode: 'squash',
      resized: { originalWidth: 128, originalHeight: 128, newWidth: 64, newHeight: 64 },
    },
  });
});

it('answers bad requests with 400/404/405/413 and a message saying what is wrong and what is allowed', async () => {
  const port = await freePort();
  await start({ preset: 'image-classification' }, await imageDirectory(), { http_server_port: String(port) });
  const base = `http://127.0.0.1:${port}`;
  const expectRefusal = (answer: Answer, status: number, message: string | RegExp) => {
    expect({ status: answer.status, text: answer.text.trimEnd() }).toEqual({
      status,
      text: typeof message === 'string' ? message : expect.stringMatching(message),
    });
    expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  };
  const usage = 'send {"features": [1024 numbers]} with Content-Type: application/json';

  expectRefusal(await postFeatures(base, '{"features": [1, 2'), 400, /^the body is not JSON \(.+\): send \{"features"/);
  expectRefusal(await postFeatures(base, '{"feature": []}'), 400, `missing "features" in the body: ${usage}`);
  expectRefusal(await postFeatures(base, '{"features": "1,2"}'), 400, `"features" is "1,2", not an array: ${usage}`);
  expectRefusal(
    await postFeatures(base, '{"features": [1, "2", "two", 3]}'),
    400,
    `"features"[2] is "two", not a finite number: ${usage}`,
  );
  expectRefusal(
    await postFeatures(base, '{"features": [1, 2, 3]}'),
    400,
    'expected 1024 features (input_features_count of this model), but received 3',
  );
  // 1 MiB and a bit: refused from its Content-Length, before it is read.
  expectRefusal(
    await postFeatures(base, JSON.stringify({ features: new Array(200_000).fill(16777215) })),
    413,
    'the features body is larger than the limit of 1 MiB',
  );

  const png = readFileSync(await solidImage(path.join(dir, 'red.png'), RED));
  expectRefusal(
    await postImage(base, png, 'image'),
    400,
    `no "file" field in the form (fields sent: image): send the image as multipart/form-data with one field "file" (curl -F 'file=@image.jpg')`,
  );
  expectRefusal(
    await postImage(base, Buffer.from('not an image at all'), 'file', 'notes.txt'),
    400,
    /^the image notes\.txt cannot be decoded \(.+\): send a JPEG, PNG, WebP, GIF or TIFF image$/,
  );
  expectRefusal(
    await call(`${base}/api/image`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png }),
    400,
    /^Content-Type image\/png refused: send the image as multipart\/form-data/,
  );
  expectRefusal(
    await postImage(base, Buffer.alloc(11 * 1024 * 1024)),
    413,
    'the image is larger than the limit of 10 MiB',
  );
  expectRefusal(
    await call(`${base}/api/classify`),
    404,
    'no route GET /api/classify; this API has GET /api/info, POST /api/features, POST /api/image',
  );
  const wrongMethod = await call(`${base}/api/features`);
  expectRefusal(wrongMethod, 405, '/api/features takes POST, not GET');
  expect(wrongMethod.headers.get('allow')).toBe('POST');

  // After all that the API still classifies (the refused bodies were drained, not left on the connections).
  expect((await postFeatures(base, JSON.stringify({ features: new Array(1024).fill(0xff) }))).status).toBe(200);
});

it('refuses a chunked body beyond the limit while reading it (no Content-Length to go by)', async () => {
  const port = await freePort();
  await start({ preset: 'image-classification' }, await imageDirectory(), { http_server_port: String(port) });
  const chunk = Buffer.from('9'.repeat(64 * 1024));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(Buffer.from('{"features": ['));
      for (let i = 0; i < 20; i++) controller.enqueue(chunk);
      controller.close();
    },
  });
  const answer = await call(`http://127.0.0.1:${port}/api/features`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    duplex: 'half',
  });
  expect({ status: answer.status, text: answer.text }).toEqual({
    status: 413,
    text: 'the features body is larger than the limit of 1 MiB\n',
  });
});

describe('beyond loopback', () => {
  let moto: Moto;
  const TOKEN = 'web-token-from-secrets-manager-0123456789';

  beforeAll(async () => {
    moto = await startMoto();
    await moto.createSecret('EI_API_KEY', JSON.stringify({ ei_api_key: 'ei_0123456789abcdef', web_token: TOKEN }));
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('asks every request for the token, here read from the ei_sm_secret_id secret, and never shows it', async () => {
    const address = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a?.family === 'IPv4' && !a.internal)?.address;
    if (!address)
      throw new Error(
        `this machine has no non-loopback IPv4 address (os.networkInterfaces(): ${JSON.stringify(os.networkInterfaces())}): the test needs one to reach the runner from beyond loopback`,
      );
    const port = await freePort();
    const r = await start(
      { preset: 'image-classification' },
      await imageDirectory(),
      { http_server_port: String(port), http_server_host: '0.0.0.0', web_token_secret_key: 'web_token' },
      {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
        AWS_REGION: moto.clientConfig.region,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
    );
    const base = `http://${address}:${port}`;
    const features = JSON.stringify({ features: new Array(1024).fill(0xff00) });

    const bare = await call(`${base}/api/info`);
    expect(bare.status).toBe(401);
    expect(bare.text).toContain('this runner listens beyond loopback: send the access token');
    expect(bare.headers.get('x-ei-project-name')).toBeNull(); // nothing about the project before the token
    expect((await postFeatures(base, features)).status).toBe(401);
    expect((await postFeatures(base, features, { authorization: 'Bearer not-the-token-at-all' })).text).toBe(
      'wrong access token\n',
    );

    expect((await call(`${base}/api/info`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await call(`${base}/api/info?token=${TOKEN}`)).status).toBe(200);
    const green = await postFeatures(base, features, { authorization: `Bearer ${TOKEN}` });
    expect(green.status).toBe(200);
    expect(json(green)).toMatchObject({ result: { classification: { blue: 0, green: 1, red: 0 } } });
    // No CORS headers: browsers keep other sites' pages from reading answers.
    expect([...green.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);

    const cmdline = readFileSync(`/proc/${r.pid}/cmdline`, 'utf8');
    await r.terminate();
    expect(cmdline).not.toContain(TOKEN);
    expect(r.logs()).toContain('HTTP inference API listening');
    expect(r.logs()).not.toContain(TOKEN);
  });
});

it('answers a flood with 503 and Retry-After beyond its queue, while the image loop keeps publishing', async () => {
  const port = await freePort();
  const r = await start({ preset: 'image-classification', inferenceMs: 20 }, await imageDirectory(), {
    http_server_port: String(port),
  });
  const body = JSON.stringify({ features: new Array(1024).fill(0xff0000) });
  const statuses = new Map<number, number>();
  const retryAfter = new Set<string | null>();
  const floodStart = Date.now();
  let flooding = true;
  // Waves of 40 concurrent requests until the loop has published 10 results since the flood began.
  const flood = (async () => {
    while (flooding) {
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => postFeatures(`http://127.0.0.1:${port}`, body)),
      );
      for (const answer of answers) {
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 503) {
          retryAfter.add(answer.headers.get('retry-after'));
          expect(answer.text).toMatch(/^9 API requests are in progress already .*: retry shortly\n$/);
        }
      }
    }
  })();
  try {
    const first = (await r.next('/inference/output', () => true, floodStart)).payload.total_inferences!;
    await r.next('/inference/output', (p) => p.total_inferences! >= first + 9, floodStart);
  } finally {
    flooding = false;
    await flood;
  }
  expect(statuses.get(200)).toBeGreaterThan(0);
  expect(statuses.get(503)).toBeGreaterThan(0);
  expect([...statuses.keys()].sort()).toEqual([200, 503]);
  expect([...retryAfter]).toEqual(['1']);
});

it('answers 503 with Retry-After while the model restarts after a crash, and classifies again after', async () => {
  const port = await freePort();
  // The model exits on its 4th classification, every time it is started: restarts keep coming.
  const r = await start({ preset: 'image-classification', crashAfter: 3 }, await imageDirectory(), {
    http_server_port: String(port),
  });
  const body = JSON.stringify({ features: new Array(1024).fill(0xff0000) });
  const seen: string[] = [];
  let restarting: Answer | undefined;
  let after: Answer | undefined;
  // Requests back to back until one found the model restarting and a later one was answered by the new model;
  // bounded by restarts, not time (the model restarts at least once per three classifications).
  while (!after) {
    if (r.received('/command/output').filter((m) => m.payload.result?.status === 'model_restarted').length > 20)
      throw new Error(`no 503 for a restarting model, then a 200, over 20 restarts; answers: ${seen.join(', ')}`);
    const answer = await postFeatures(`http://127.0.0.1:${port}`, body);
    seen.push(`${answer.status} ${answer.text.trim().slice(0, 60)}`);
    if (answer.status === 503 && answer.text.startsWith('the model is restarting')) restarting = answer;
    else if (restarting && answer.status === 200) after = answer;
    else if (![200, 503].includes(answer.status)) throw new Error(`unexpected answer: ${seen.at(-1)}`);
  }
  expect(restarting!.text).toBe('the model is restarting after a failure: retry shortly\n');
  expect(restarting!.headers.get('retry-after')).toBe('1');
  expect(json(after)).toMatchObject({ result: { classification: { blue: 0, green: 0, red: 1 } } });
});

it('restarts a model that died serving the API in triggered mode, with no trigger to notice it', async () => {
  const port = await freePort();
  // Triggered: the input loop waits for a request that never comes; only the API uses the model.
  const r = await start({ preset: 'image-classification', crashAfter: 2 }, await imageDirectory(), {
    http_server_port: String(port),
    inference_mode: 'triggered',
  });
  const body = JSON.stringify({ features: new Array(1024).fill(0xff0000) });
  const answers: number[] = [];
  for (let i = 0; i < 3; i++) answers.push((await postFeatures(`http://127.0.0.1:${port}`, body)).status);
  // Two answers, then the model exits on the third request.
  expect(answers).toEqual([200, 200, 503]);
  await r.take('/command/output', isStatus('model_restarted'));
  const after = await postFeatures(`http://127.0.0.1:${port}`, body);
  expect(after.status).toBe(200);
});

it('frees the place of a request whose client went away before its body was complete', async () => {
  const port = await freePort();
  await start({ preset: 'image-classification' }, await imageDirectory(), { http_server_port: String(port) });
  // More cut-off uploads than the queue admits at once (9), and a features body.
  const cutOff = (path: string, contentType: string, partial: string) =>
    new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${contentType}\r\n` +
            `Content-Length: 100000\r\n\r\n${partial}`,
          () => {
            socket.destroy();
            resolve();
          },
        );
      }).on('error', reject);
    });
  await Promise.all([
    cutOff('/api/features', 'application/json', '{"features": [1, 2, 3'),
    ...Array.from({ length: 10 }, () =>
      cutOff(
        '/api/image',
        'multipart/form-data; boundary=xyz',
        '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG',
      ),
    ),
  ]);
  // The server may take a moment to see the connections closed: a 503 is retried, as Retry-After says.
  const body = JSON.stringify({ features: new Array(1024).fill(0xff0000) });
  const answers: number[] = [];
  while (answers.at(-1) !== 200) {
    if (answers.length >= 20) throw new Error(`the queue stayed full after the clients left: ${answers.join(', ')}`);
    if (answers.length) await new Promise((resolve) => setTimeout(resolve, 250));
    answers.push((await postFeatures(`http://127.0.0.1:${port}`, body)).status);
  }
});
