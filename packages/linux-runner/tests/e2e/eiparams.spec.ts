/**
 * The flags of `eiparams` through the component as Greengrass runs it (the bin's main bundled from the sources,
 * the demo model, real GStreamer): `--check-config` shows what each became, honoured flags change what is
 * published, and refused ones are named.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BLUE,
  DEMO_MODEL,
  demoModelEnv,
  demoRunnerSets,
  RED,
  requireTool,
  squaresImage,
  type ComponentProcess,
  type DemoModelSpec,
  type Payload,
} from '@ei-gg/testbench';
import sharp from 'sharp';
import { runnerBundle, runnerProcess } from '../support/runner-bundle';

requireTool('gst-launch-1.0', 'gstreamer1.0-tools');
const API_KEY = 'ei_f1a95ecret0123456789abcdef';
let dir: string;
let runner: ComponentProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-eiparams-'));
});

afterEach(async () => {
  await runner?.kill();
  runner = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function start(spec: DemoModelSpec, settings: Record<string, string>): ComponentProcess {
  runner = runnerProcess(['--transport', 'stdout', ...demoRunnerSets(dir, settings)], {
    env: demoModelEnv(spec),
    cwd: dir,
  });
  return runner;
}

/** `--check-config` of the component: its exit code, the summary it printed, and everything it wrote. */
function checkConfig(settings: Record<string, string>) {
  const run = spawnSync(process.execPath, [runnerBundle(), '--check-config', ...demoRunnerSets(dir, settings)], {
    encoding: 'utf8',
  });
  const summary = run.status === null ? undefined : (JSON.parse(run.stdout) as Record<string, unknown>);
  return { code: run.status, summary, output: run.stdout + run.stderr };
}

type Box = { label: string; value: number; x: number; y: number; width: number; height: number };
const boxes = (p: Payload) => (p.box as Box[] | undefined) ?? [];
const isStatus = (status: string) => (p: Payload) => p.result?.status === status;

describe('--check-config', () => {
  it('prints what each flag became: honoured ones in the effective settings, the others in warnings', () => {
    const { code, summary } = checkConfig({
      camera: '/dev/video0',
      eiparams:
        '--greengrass --camera=/dev/video2 --force-camera-resolution 640,480 --force-resize-mode fit-shortest ' +
        '--thresholds 5.min_score=0.8 --preview-port 5050 --preview-original-resolution --run-http-server 8080 ' +
        '--shm-behavior never --verbose --monitor --profiling --no-such-flag',
    });
    expect(code).toBe(0);
    expect(summary?.effective).toMatchObject({
      settings: {
        preview: { port: 5050, host: '127.0.0.1', originalResolution: true },
        httpServer: { port: 8080, host: '127.0.0.1' },
        modelThresholds: [{ blockId: 5, key: 'min_score', value: 0.8 }],
        model: { file: DEMO_MODEL, shm: 'never' },
        input: { camera: '/dev/video2', cameraResolution: { width: 640, height: 480 } },
        resizeMode: 'fit-shortest',
        verbose: true,
      },
      eiparams: expect.arrayContaining([
        { flag: '--greengrass', handling: 'implied' },
        { flag: '--camera', value: '/dev/video2', handling: 'honoured', sets: 'input.camera' },
        { flag: '--monitor', handling: 'refused' },
        { flag: '--no-such-flag', handling: 'unknown' },
      ]),
    });
    expect(summary?.warnings).toEqual([
      expect.stringMatching(/^eiparams: --monitor is not honoured: .*Studio remote management/),
      expect.stringMatching(/^eiparams: --profiling is not honoured: /),
      'eiparams: --no-such-flag is not a flag of edge-impulse-linux-runner; ignored',
    ]);
    expect(summary?.problems).toEqual([]);
  });

  it('names every problem and exits non-zero; an --api-key value is never shown', () => {
    const { code, summary, output } = checkConfig({
      eiparams: `--api-key ${API_KEY} --force-resize-mode stretch`,
    });
    expect(code).toBe(1);
    expect(summary?.problems).toEqual([
      expect.stringMatching(/^eiparams: --api-key is refused: .*ei_sm_secret_id/),
      'eiparams: --force-resize-mode "stretch": allowed: squash, fit-shortest, fit-longest',
    ]);
    expect(summary?.parameters).toMatchObject({
      eiparams: ['--api-key', '<redacted>', '--force-resize-mode', 'stretch'],
    });
    expect(output).not.toContain(API_KEY);
  });
});

it('a problem stops the start: exit 1, the flag named, the key in no output', async () => {
  const r = start({ preset: 'object-detection' }, { eiparams: `--greengrass --api-key=${API_KEY}` });
  expect(await r.exited).toEqual({ code: 1, signal: null });
  expect(r.logs()).toMatch(/eiparams: --api-key is refused: .*ei_sm_secret_id/);
  expect(r.logs()).not.toContain(API_KEY);
  expect(r.messages).toEqual([]);
});

it('--thresholds 5.min_score=0.95 reaches the model: boxes scored below it are dropped; warnings logged once', async () => {
  // A solid red square (score 0.99) and a blue box of which only two corner pixels are blue (score ~0.6).
  const images = path.join(dir, 'images');
  await squaresImage(path.join(images, 'boxes.png'), 64, [
    { colour: RED, x: 8, y: 8, size: 16 },
    { colour: BLUE, x: 40, y: 40, size: 1 },
    { colour: BLUE, x: 55, y: 55, size: 1 },
  ]);
  const run = async (eiparams: string) => {
    const r = start({ preset: 'object-detection' }, { input: `images:${images}`, eiparams });
    const labels = boxes(await r.take('/inference/output')).map((b) => [b.label, b.value >= 0.95]);
    expect(await r.exited).toEqual({ code: 0, signal: null });
    return { labels, logs: r.logs() };
  };
  expect((await run('--greengrass')).labels).toEqual([
    ['blue', false],
    ['red', true],
  ]);
  const { labels, logs } = await run('--greengrass --thresholds 5.min_score=0.95 --monitor');
  expect(labels).toEqual([['red', true]]);
  expect(logs.match(/eiparams: --monitor is not honoured/g)).toHaveLength(1);
});

it('--force-resize-mode changes how frames are fitted: other features, other boxes; get_model_info says so', async () => {
  // 128x64 with a red 32x32 square at the left: squashed (the model's mode) it is 16 wide and 32 high; letterboxed
  // (fit-longest) 16x16 under a 16-pixel band; cropped to the centre (fit-shortest) it is gone.
  const images = path.join(dir, 'images');
  mkdirSync(images);
  const red = await sharp({ create: { width: 32, height: 32, channels: 3, background: RED } })
    .png()
    .toBuffer();
  await sharp({ create: { width: 128, height: 64, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite([{ input: red, left: 0, top: 0 }])
    .png()
    .toFile(path.join(images, 'wide.png'));
  const run = async (eiparams: string) => {
    const r = start(
      { preset: 'object-detection' },
      {
        input: `images:${images}`,
        eiparams,
        ei_shutdown_behavior: 'wait_for_restart',
      },
    );
    const found = boxes(await r.take('/inference/output')).map(({ label, x, y, width, height }) => ({
      label,
      x,
      y,
      width,
      height,
    }));
    r.send({ cmd: 'get_model_info' });
    const info = await r.take('/command/output', (p) => p.result?.model_info !== undefined);
    expect(await r.terminate()).toEqual({ code: 0, signal: null });
    return {
      found,
      mode: (info.result?.model_info as { model_params: Record<string, unknown> }).model_params.image_resize_mode,
    };
  };
  expect(await run('--greengrass')).toEqual({
    found: [{ label: 'red', x: 0, y: 0, width: 16, height: 32 }],
    mode: 'squash',
  });
  expect(await run('--force-resize-mode fit-longest')).toEqual({
    found: [{ label: 'red', x: 0, y: 16, width: 16, height: 16 }],
    mode: 'fit-longest',
  });
});

it('--fake-camera: the camera input classifies the image over and over', async () => {
  const image = await squaresImage(path.join(dir, 'fake.png'), 64, [{ colour: RED, x: 8, y: 8, size: 16 }]);
  const r = start({ preset: 'object-detection' }, { eiparams: `--fake-camera ${image}` });
  const results = [];
  for (let i = 0; i < 3; i++) results.push(await r.take('/inference/output'));
  expect(results.map((p) => boxes(p).map((b) => b.label))).toEqual([['red'], ['red'], ['red']]);
  expect(r.logs()).toContain(`"input":"fake camera ${image}"`);
  expect(await r.terminate()).toEqual({ code: 0, signal: null });
});

it('--camera reaches the camera pipeline (a device that is not there is named)', async () => {
  const r = start({ preset: 'object-detection' }, { camera: '/dev/video0', eiparams: '--camera /dev/video99' });
  expect((await r.exited).code).toBe(1);
  expect(r.logs()).toContain('v4l2src device=/dev/video99 ! decodebin');
  expect(r.logs()).toContain('camera /dev/video99 not found');
});

it('--microphone reaches the audio pipeline as its ALSA source', async () => {
  const r = start({ preset: 'audio-classification' }, { eiparams: '--microphone hw:99,0' });
  expect((await r.exited).code).toBe(1);
  expect(r.logs()).toContain('alsasrc device=hw:99,0 ! audioconvert');
});

it('--model-file overrides ei_local_model_file', async () => {
  const images = path.join(dir, 'images');
  await squaresImage(path.join(images, 'red.png'), 64, [{ colour: RED, x: 8, y: 8, size: 16 }]);
  const r = start(
    { preset: 'object-detection' },
    {
      ei_local_model_file: path.join(dir, 'missing.eim'),
      input: `images:${images}`,
      eiparams: `--model-file ${DEMO_MODEL}`,
    },
  );
  expect(boxes(await r.take('/inference/output')).map((b) => b.label)).toEqual(['red']);
  expect(await r.exited).toEqual({ code: 0, signal: null });
});

it('--shm-behavior reaches edge-impulse-linux: always refuses a model without shared memory, never runs it', async () => {
  const images = path.join(dir, 'images');
  await squaresImage(path.join(images, 'red.png'), 64, [{ colour: RED, x: 8, y: 8, size: 16 }]);
  const always = start(
    { preset: 'object-detection' },
    { input: `images:${images}`, eiparams: '--shm-behavior always' },
  );
  expect((await always.exited).code).toBe(1);
  expect(always.logs()).toContain('shmBehavior is \\"always\\"');
  const never = start({ preset: 'object-detection' }, { input: `images:${images}`, eiparams: '--shm-behavior never' });
  await never.take('/command/output', isStatus('started'));
  expect(await never.exited).toEqual({ code: 0, signal: null });
});
