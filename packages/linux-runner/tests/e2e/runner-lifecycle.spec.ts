/**
 * The component as Greengrass runs it (a child process, here with the stdout transport: messages on stdout,
 * commands on stdin), the real LinuxImpulseRunner driving the fixture .eim, and real GStreamer pipelines:
 * inputs, restart, wait_for_restart, crash recovery, and SIGTERM leaving no process behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BLUE,
  demoModelEnv,
  demoRunnerSets,
  GREEN,
  RED,
  requireTool,
  solidImage,
  type ComponentProcess,
  type DemoModelSpec,
  type Payload,
} from '@ei-gg/testbench';
import { runnerProcess } from '../support/runner-bundle';

const GST = requireTool('gst-launch-1.0', 'gstreamer1.0-tools');
let dir: string;
let runner: ComponentProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-lr-'));
});

afterEach(async () => {
  await runner?.kill();
  runner = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function start(spec: DemoModelSpec, settings: Record<string, string>): ComponentProcess {
  runner = runnerProcess(['--transport', 'stdout', '--log-level', 'debug', ...demoRunnerSets(dir, settings)], {
    env: demoModelEnv(spec),
    cwd: dir,
  });
  return runner;
}

const topLabel = (p: Payload) => Object.entries(p.c ?? {}).sort((a, b) => b[1] - a[1])[0]?.[0];
const isStatus = (status: string) => (p: Payload) => p.result?.status === status;

async function imageDirectory(): Promise<string> {
  const images = path.join(dir, 'images');
  await solidImage(path.join(images, '02-green.png'), GREEN);
  await solidImage(path.join(images, '01-red.png'), RED);
  await solidImage(path.join(images, '03-blue.jpg'), BLUE);
  return images;
}

it('classifies every image of a directory once, in name order, then exits 0 leaving nothing behind', async () => {
  const r = start({ preset: 'image-classification' }, { input: `images:${await imageDirectory()}` });
  await r.take('/command/output', isStatus('started'));
  const results = [];
  for (let i = 0; i < 3; i++) results.push(await r.take('/inference/output'));
  expect(results.map(topLabel)).toEqual(['red', 'green', 'blue']);
  expect(results.map((p) => p.total_inferences)).toEqual([1, 2, 3]);
  expect(results[0].c).toEqual({ red: 1, green: 0, blue: 0 });
  expect(await r.take('/command/output', isStatus('input_ended'))).toMatchObject({
    result: { input: expect.stringMatching(/^images:/) },
  });
  expect(await r.exited).toEqual({ code: 0, signal: null });
  expect(r.survivors()).toEqual([]);
});

it('restart re-initialises model and input in-process: counts start over, one model process remains', async () => {
  const r = start(
    { preset: 'image-classification', inferenceMs: 20 },
    { input: `images-loop:${await imageDirectory()}` },
  );
  await r.take('/command/output', isStatus('started'));
  await r.take('/inference/output', (p) => p.total_inferences === 3);
  r.send({ cmd: 'restart', id: 'r1' });
  expect(await r.take('/command/output', (p) => p.result?.restart !== undefined)).toEqual({
    result: { restart: 'OK', id: 'r1' },
  });
  await r.take('/command/output', isStatus('started'));
  const first = await r.take('/inference/output', (p) => p.total_inferences === 1);
  expect(topLabel(first)).toBe('red');
  expect(r.running).toBe(true);
  expect(r.survivors().filter((p) => /demo-model\.js \S+model\.sock$/.test(p.command))).toHaveLength(1);
});

it('wait_for_restart: stays up when the input ends and runs again on restart', async () => {
  const images = path.join(dir, 'one');
  await solidImage(path.join(images, 'x.png'), BLUE);
  const r = start(
    { preset: 'image-classification' },
    { input: `images:${images}`, ei_shutdown_behavior: 'wait_on_restart' },
  );
  expect(topLabel(await r.take('/inference/output'))).toBe('blue');
  expect(await r.take('/command/output', isStatus('input_ended'))).toMatchObject({
    result: { waiting_for: 'restart' },
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(r.running).toBe(true);
  r.send({ cmd: 'restart' });
  await r.take('/command/output', isStatus('started'));
  expect(await r.take('/inference/output')).toMatchObject({ total_inferences: 1, c: { blue: 1 } });
  await r.take('/command/output', isStatus('input_ended'));
  expect(await r.terminate()).toEqual({ code: 0, signal: null });
  expect(r.survivors()).toEqual([]);
});

it('restarts a crashed model with back-off, reports it on command output, and inference goes on', async () => {
  const r = start(
    { preset: 'image-classification', crashAfter: 2 },
    { input: `images-loop:${await imageDirectory()}` },
  );
  await r.take('/inference/output', (p) => p.total_inferences === 2);
  const report = await r.take('/command/output', (p) => p.result?.error !== undefined);
  expect(report.result).toMatchObject({
    source: 'linux-runner',
    code: 'MODEL_EXITED',
    attempt: 1,
    restart_in_ms: expect.any(Number),
    error: expect.stringMatching(
      /^model failed: model process exited \(code 1\) while classifying; restarting it in \d+ ms$/,
    ),
  });
  expect(report.result?.restart_in_ms).toBeLessThanOrEqual(1000);
  expect(await r.take('/command/output', isStatus('model_restarted'))).toMatchObject({ result: { attempt: 1 } });
  // The input continued where it was; the count did not start over (only a restart command resets it).
  expect(await r.take('/inference/output')).toMatchObject({ total_inferences: 3 });
  expect(r.logs()).toContain('crashing after 2 inferences');
});

it('camera from a GStreamer test source (gst_args); SIGTERM stops GStreamer and the model, nothing is left behind', async () => {
  const gstArgs = 'videotestsrc is-live=true pattern=red ! video/x-raw,width=96,height=64,framerate=20/1 ! jpegenc';
  const r = start({ preset: 'image-classification' }, { gst_args: gstArgs });
  expect(topLabel(await r.take('/inference/output'))).toBe('red');
  await r.take('/inference/output');
  const children = r.survivors().map((p) => p.command);
  expect(children).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^gst-launch-1.0 -q videotestsrc/),
      expect.stringMatching(/demo-model\.js \S+model\.sock$/),
    ]),
  );
  expect(await r.terminate()).toEqual({ code: 0, signal: null });
  expect(r.survivors()).toEqual([]);
});

it('a video file through GStreamer: every frame, in order, then the input ends', async () => {
  const video = path.join(dir, 'clip with space.avi');
  execFileSync(GST, [
    '-q',
    'videotestsrc',
    'num-buffers=5',
    'pattern=blue',
    '!',
    'video/x-raw,width=64,height=48,framerate=5/1',
    '!',
    'jpegenc',
    '!',
    'avimux',
    '!',
    'filesink',
    `location=${video}`,
  ]);
  const r = start({ preset: 'image-classification' }, { input: `video:${video}` });
  const results = [];
  for (let i = 0; i < 5; i++) results.push(await r.take('/inference/output'));
  expect(results.map(topLabel)).toEqual(['blue', 'blue', 'blue', 'blue', 'blue']);
  expect(results.map((p) => p.total_inferences)).toEqual([1, 2, 3, 4, 5]);
  await r.take('/command/output', isStatus('input_ended'));
  expect(await r.exited).toEqual({ code: 0, signal: null });
});

it('a camera that does not exist is a clear error naming the device, and a non-zero exit', async () => {
  const r = start(
    { preset: 'image-classification' },
    { gst_args: 'v4l2src device=/dev/video-ei-gg-missing ! jpegenc' },
  );
  const report = await r.take('/command/output', (p) => p.result?.error !== undefined);
  expect(report.result).toMatchObject({
    code: 'INPUT_FAILED',
    error: expect.stringContaining('camera /dev/video-ei-gg-missing not found'),
  });
  expect((await r.exited).code).toBe(1);
  expect(r.survivors()).toEqual([]);
});

it('an audio model classifies windows of a GStreamer audio source (microphone with gst_args)', async () => {
  const r = start(
    { preset: 'audio-classification' },
    { gst_args: 'audiotestsrc is-live=true wave=sine freq=440 volume=0.5' },
  );
  expect(await r.take('/inference/output')).toMatchObject({ c: { loud: 1, quiet: 0 }, inference_count: 2 });
  expect(await r.terminate()).toEqual({ code: 0, signal: null });
  expect(r.survivors()).toEqual([]);
});

it('a model that cannot start fails the start: non-zero exit, the model output in the logged error', async () => {
  const r = start({ preset: 'image-classification', exitAtStart: 3 }, { input: `images:${await imageDirectory()}` });
  expect((await r.exited).code).toBe(1);
  expect(r.logs()).toMatch(
    /"msg":"fatal error".*MODEL_EXITED.*model process exited \(code 3\) while opening its socket/,
  );
  expect(r.logs()).toContain('demo model: failing at start with code 3');
  expect(r.survivors()).toEqual([]);
});
