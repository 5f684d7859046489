/**
 * What the camera flags make of the camera input: the gst-launch elements, a real GStreamer run of the forced
 * resolution (videotestsrc stands in for the camera through --gst-source), and the fake camera.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@ei-gg/core';
import { RED, requireTool, solidImage } from '@ei-gg/testbench';
import sharp from 'sharp';
import { FakeCameraSource } from '../../src/input/fake-camera-source';
import { GstreamerSource } from '../../src/input/gstreamer-source';
import { JpegStreamSplitter } from '../../src/input/jpeg-stream-splitter';
import { cameraPipeline } from '../../src/input/open-input';
import { runnerSettings } from '../../src/settings/runner-settings';
import { parseParameters } from '@ei-gg/core';

requireTool('gst-launch-1.0', 'gstreamer1.0-tools');
const DECODE = ['decodebin', '!', 'videoconvert', '!', 'jpegenc', 'quality=90'];
const inputOf = (eiparams: string, parameters: Record<string, unknown> = {}) =>
  runnerSettings(parseParameters('linux-runner', { ...parameters, eiparams }).config).input;

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-camera-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the camera pipeline of the flags', () => {
  it.each([
    ['', {}, ['v4l2src', '!', ...DECODE]],
    ['--camera /dev/video7', { camera: '/dev/video0' }, ['v4l2src', 'device=/dev/video7', '!', ...DECODE]],
    [
      '--force-camera-resolution 1280,720',
      { camera: '/dev/video0' },
      [
        'v4l2src',
        'device=/dev/video0',
        '!',
        'video/x-raw,width=1280,height=720;image/jpeg,width=1280,height=720',
        '!',
        ...DECODE,
      ],
    ],
    [
      '--gst-source "tcpserversrc host=0.0.0.0 port=5050 ! jpegdec"',
      {},
      ['tcpserversrc', 'host=0.0.0.0', 'port=5050', '!', 'jpegdec', '!', ...DECODE],
    ],
    ['--gst-launch-args "videotestsrc ! jpegenc"', { gst_args: 'v4l2src ! jpegenc' }, ['videotestsrc', '!', 'jpegenc']],
  ])('eiparams %p with keys %p', (eiparams, keys, elements) => {
    expect(cameraPipeline(inputOf(eiparams, keys))).toEqual(elements);
  });

  it('--force-camera-resolution reaches the frames: a source of another size delivers that size', async () => {
    const input = inputOf('--gst-source "videotestsrc num-buffers=3" --force-camera-resolution 80,40');
    const source = await GstreamerSource.start({
      elements: cameraPipeline(input),
      description: 'camera',
      keep: 'all',
      decoder: new JpegStreamSplitter(),
      logger: new Logger({ level: 'silent' }),
    });
    const sizes = [];
    for (let frame = await source.next(); frame; frame = await source.next()) {
      const { width, height } = await sharp(frame.data).metadata();
      sizes.push([width, height]);
    }
    await source.stop();
    expect(sizes).toEqual([
      [80, 40],
      [80, 40],
      [80, 40],
    ]);
  });
});

describe('--fake-camera', () => {
  it('delivers the same image as frame after frame, until stopped', async () => {
    const file = await solidImage(path.join(dir, 'red.png'), RED);
    const source = new FakeCameraSource(file);
    const frames = [await source.next(), await source.next(), await source.next()];
    expect(frames.map((f) => f?.name)).toEqual(['red.png#1', 'red.png#2', 'red.png#3']);
    expect((await sharp(frames[2]!.data).metadata()).format).toBe('png');
    await source.stop();
    expect(await source.next()).toBeUndefined();
  });

  it('a missing image fails the input, naming the file and the flag', async () => {
    const source = new FakeCameraSource(path.join(dir, 'missing.jpg'));
    await expect(source.next()).rejects.toMatchObject({
      code: 'INPUT_FAILED',
      message: expect.stringContaining(`cannot read the --fake-camera image ${path.join(dir, 'missing.jpg')}`),
    });
  });
});
