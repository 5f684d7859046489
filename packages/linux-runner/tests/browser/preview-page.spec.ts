/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// For ts-jest, which compiles with ../../tsconfig.json: the functions passed to page.evaluate run in the browser.
/**
 * The live preview page in a real browser: Debian's Chromium, headless, driven by playwright-core, opens the page
 * of the component (bundled from the sources) running the demo object detection model on the demo's sample
 * images, through the URL `get_status` gives (beyond loopback: with the token, kept as the page's cookie). It
 * checks what an operator sees: the frame, the boxes of the result found in it, the results table, and a
 * threshold edited on the page changing what is published. Leaves a screenshot at dist/preview.png. And a visual
 * anomaly model's grid cells.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DEMO_IMAGES,
  demoModelEnv,
  demoRunnerSets,
  freePort,
  requireTool,
  squaresImage,
  WHITE,
  type ComponentProcess,
} from '@ei-gg/testbench';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runnerProcess } from '../support/runner-bundle';

const CHROMIUM = requireTool('chromium', 'chromium');
const SCREENSHOT = path.resolve(__dirname, '../../../../dist/preview.png');

let dir: string;
let runner: ComponentProcess | undefined;
let browser: Browser | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-lr-page-'));
});

afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await runner?.kill();
  runner = undefined;
  rmSync(dir, { recursive: true, force: true });
});

interface Drawn {
  /** `frame-<n>`: the boxes of the n-th frame's result, drawn on it; `result-<n>`: of the n-th result. */
  drawn: string;
  resultIndex: number;
  boxCount: number;
  labels: string;
  boxes: string[];
}

/** What the page shows now, read in one go. */
function drawn(page: Page): Promise<Drawn> {
  return page.evaluate(() => {
    const stage = document.getElementById('stage')!;
    return {
      drawn: stage.dataset.drawn ?? '',
      resultIndex: Number(stage.dataset.resultIndex ?? 0),
      boxCount: Number(stage.dataset.boxCount),
      labels: stage.dataset.labels ?? '',
      boxes: [...document.querySelectorAll<HTMLElement>('#overlay [data-label]')].map((e) => e.dataset.label!),
    };
  });
}

async function publishedCount(r: ComponentProcess): Promise<{ seen: number; published: number }> {
  const reply = await r.command({ cmd: 'get_status' }, (p) => typeof p.result?.status === 'object');
  return (reply.result!.status as { inferences: { seen: number; published: number } }).inferences;
}

it('shows the frame, the newest result as boxes, the results table; a threshold set on the page changes what is published', async () => {
  const port = await freePort();
  const r = runnerProcess(
    [
      '--transport',
      'stdout',
      ...demoRunnerSets(dir, {
        input: `images-loop:${DEMO_IMAGES}`,
        preview_port: String(port),
        preview_host: '0.0.0.0',
      }),
    ],
    { env: demoModelEnv({ preset: 'object-detection', inferenceMs: 30 }), cwd: dir },
  );
  runner = r;
  await r.take('/command/output', (p) => p.result?.status === 'started');
  const status = await r.command({ cmd: 'get_status' }, (p) => typeof p.result?.status === 'object');
  const { url } = (status.result!.status as { web: { preview: { url: string } } }).web.preview;
  // The address get_status names is this device's; the test's browser reaches it on loopback as well.
  const pageUrl = new URL(url);
  pageUrl.hostname = '127.0.0.1';

  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  // What the page's socket received, in order: what the page draws must be what it was sent with the frame.
  type Result = { bounding_boxes: { label: string }[] };
  const received: Record<string, Result[]> = { classification: [], 'camera-preview': [] };
  page.on('websocket', (socket) =>
    socket.on('framereceived', ({ payload }) => {
      const message = JSON.parse(String(payload)) as { type: string; result: Result };
      received[message.type]?.push(message.result);
    }),
  );

  const response = await page.goto(pageUrl.toString());
  expect(response?.status()).toBe(200);
  // The token went into the cookie and out of the address bar.
  expect(page.url()).toBe(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => document.getElementById('connection')?.dataset.state === 'open');
  await expect(page.locator('#project').textContent()).resolves.toContain('fixture object-detection');

  // The frame: the model input (128x128 sample images squashed to the model's 64x64).
  await page.waitForFunction(() => {
    const img = document.querySelector<HTMLImageElement>('#frame')!;
    return !img.hidden && img.complete && img.naturalWidth === 64 && img.src.startsWith('data:image/jpeg;base64,');
  });
  // Boxes drawn: those of the result of the frame shown (every frame comes with its result).
  await page.waitForFunction(() => Number(document.getElementById('stage')!.dataset.boxCount) > 0);
  for (let i = 0; i < 3; i++) {
    const shown = await drawn(page);
    const [, kind, n] = /^(frame|result)-(\d+)$/.exec(shown.drawn)!;
    expect(kind).toBe('frame');
    await waitUntil(() => received['camera-preview'].length >= Number(n));
    const labels = received['camera-preview'][Number(n) - 1].bounding_boxes.map((b) => b.label).sort();
    expect(shown.boxCount).toBe(labels.length);
    expect(shown.boxes.sort()).toEqual(labels);
    expect(shown.labels).toBe(labels.join(','));
    await page.waitForFunction((before) => document.getElementById('stage')!.dataset.drawn !== before, shown.drawn);
  }
  // The camera frame off: each result is drawn as it comes (on an empty stage).
  await page.locator('#camera-preview').uncheck();
  await page.waitForFunction(() => document.getElementById('stage')!.dataset.drawn!.startsWith('result-'));
  const unframed = await drawn(page);
  await waitUntil(() => received.classification.length >= unframed.resultIndex);
  expect(unframed.drawn).toBe(`result-${unframed.resultIndex}`);
  expect(unframed.boxes.sort()).toEqual(
    received.classification[unframed.resultIndex - 1].bounding_boxes.map((b) => b.label).sort(),
  );
  await page.locator('#camera-preview').check();
  await page.waitForFunction(() => document.getElementById('stage')!.dataset.drawn!.startsWith('frame-'));
  await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length >= 10);
  expect(await page.locator('#results tbody tr').first().locator('td').last().textContent()).toMatch(
    /^(no objects|(blue|red) \d\.\d\d)/,
  );
  await expect(page.locator('#summary').textContent()).resolves.toMatch(/ · \d+\.\d ms$/);
  await page.waitForFunction(() => Number(document.getElementById('stage')!.dataset.boxCount) >= 2);
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });

  // The operator raises min_score above every box's score: no boxes on the page, nothing published.
  const input = page.locator('#threshold-5-min_score');
  expect(await input.inputValue()).toBe('0.5');
  await input.fill('0.999');
  await input.press('Enter');
  await page.waitForFunction(
    () => document.getElementById('threshold-status')!.textContent === 'min_score of block 5 is now 0.999',
  );
  const after = (await drawn(page)).resultIndex;
  await page.waitForFunction(
    (index) => Number(document.getElementById('stage')!.dataset.resultIndex) >= index + 3,
    after,
  );
  const before = await publishedCount(r);
  const from = (await drawn(page)).resultIndex;
  await page.waitForFunction(
    (index) => Number(document.getElementById('stage')!.dataset.resultIndex) >= index + 5,
    from,
  );
  await page.waitForFunction(() => document.getElementById('stage')!.dataset.boxCount === '0');
  expect(await drawn(page)).toMatchObject({ boxCount: 0, boxes: [] });
  const later = await publishedCount(r);
  expect(later.seen).toBeGreaterThanOrEqual(before.seen + 5);
  expect(later.published).toBe(before.published);

  // A refused value is shown, not swallowed.
  await input.fill('');
  await input.press('Enter');
  await page.waitForFunction(() => document.getElementById('threshold-status')!.dataset.state === 'error');
  expect(await page.locator('#threshold-status').textContent()).toBe(
    'Invalid value for "value", should be a finite number (type: object, value: null)',
  );
  expect(errors).toEqual([]);
});

/** Debian's Chromium, headless, as the page test drives it. */
function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

it('visual anomaly: the grid cells over the threshold are drawn on the frame, the maximum in the summary', async () => {
  const images = path.join(dir, 'images');
  // 32x32, the top left quarter white: the model's 4x4 grid has 4 bright cells there.
  await squaresImage(path.join(images, 'corner.png'), 32, [{ colour: WHITE, x: 0, y: 0, size: 16 }]);
  const port = await freePort();
  runner = runnerProcess(
    ['--transport', 'stdout', ...demoRunnerSets(dir, { input: `images-loop:${images}`, preview_port: String(port) })],
    { env: demoModelEnv({ preset: 'visual-anomaly', inferenceMs: 30 }), cwd: dir },
  );
  await runner.take('/command/output', (p) => p.result?.status === 'started');
  browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => document.getElementById('stage')!.dataset.drawn?.startsWith('frame-'));
  const cells = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('#overlay .cell')].map((c) => [
      c.style.left,
      c.style.top,
      c.textContent,
    ]),
  );
  expect(cells.sort()).toEqual([
    ['0%', '0%', '1.00'],
    ['0%', '25%', '1.00'],
    ['25%', '0%', '1.00'],
    ['25%', '25%', '1.00'],
  ]);
  await expect(page.locator('#summary').textContent()).resolves.toMatch(/^anomaly 1\.00 · anomaly max 1\.00 · /);
});

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the page was not sent the result it shows');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
