import { execFileSync } from 'node:child_process';
import { parseParameters, parseGstArgs } from '@ei-gg/core';
import { requireTool } from '@ei-gg/testbench';
import { gstLaunchArgsValue, planClient } from '../src';

// The client's own splitter: what it does to the value of --gst-launch-args.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { split } = require('edge-impulse-linux/build/library/argv-split') as { split: (text: string) => string[] };

const SENSORS = { videoDevices: ['/dev/video0', '/dev/video1'], hasMicrophone: true };

describe('the client arguments', () => {
  it('appends eiparams, handles --greengrass itself, and names the cameras it may open', () => {
    expect(planClient(undefined, ['--greengrass', '--verbose'], SENSORS)).toEqual({
      args: ['--verbose'],
      cameraDevices: ['/dev/video0', '/dev/video1'],
    });
    expect(planClient(undefined, ['--camera', '/dev/video1'], SENSORS).cameraDevices).toEqual(['/dev/video1']);
    expect(planClient(['v4l2src', 'device=/dev/video2', '!', 'jpegenc'], [], SENSORS).cameraDevices).toEqual([
      '/dev/video2',
    ]);
    expect(planClient(undefined, ['--disable-camera'], SENSORS).cameraDevices).toEqual([]);
  });

  it('disables what the device lacks, and refuses to start with nothing to collect from', () => {
    expect(planClient(undefined, [], { videoDevices: [], hasMicrophone: true }).args).toEqual(['--disable-camera']);
    expect(planClient(undefined, [], { videoDevices: ['/dev/video0'], hasMicrophone: false }).args).toEqual([
      '--disable-microphone',
    ]);
    expect(planClient(['videotestsrc', '!', 'jpegenc'], [], { videoDevices: [], hasMicrophone: false }).args).toEqual([
      '--gst-launch-args',
      'videotestsrc ! jpegenc',
      '--disable-microphone',
    ]);
    expect(() => planClient(undefined, ['--greengrass'], { videoDevices: [], hasMicrophone: false })).toThrow(
      expect.objectContaining({
        code: 'LINUX_SERVICE_NO_SENSORS',
        message: expect.stringContaining('no camera (no /dev/video* device, no gst_args) and no microphone'),
      }),
    );
    expect(() =>
      planClient(undefined, ['--disable-camera'], { videoDevices: ['/dev/video0'], hasMicrophone: false }),
    ).toThrow(/camera is disabled/);
  });

  it('refuses an API key on the command line', () => {
    for (const eiparams of [['--api-key', 'ei_x'], ['--api-key=ei_x']]) {
      expect(() => planClient(undefined, eiparams, SENSORS)).toThrow(
        expect.objectContaining({ code: 'LINUX_SERVICE_BAD_EIPARAMS' }),
      );
    }
  });

  it('gst_args reach gst-launch intact through the client: its split, then its shell', () => {
    const sh = requireTool('sh', 'dash');
    const pipelines = [
      parseGstArgs('rtspsrc:location=rtsp://user:pw@cam.local:554/live:!:decodebin:!:jpegenc')!,
      ['souphttpsrc', 'location=http://cam/x.mjpg?a=1&b=$HOME', '!', 'jpegdec'],
      ['v4l2src', 'extra-controls="c,exposure_auto=1"', '!', "capsfilter caps='video/x-raw, width=640'", '!', 'tail\\'],
    ];
    expect(pipelines[0]).toEqual([
      'rtspsrc',
      'location=rtsp://user:pw@cam.local:554/live',
      '!',
      'decodebin',
      '!',
      'jpegenc',
    ]);
    for (const args of pipelines) {
      const joined = split(gstLaunchArgsValue(args)).join(' '); // what the client hands its shell
      const received = execFileSync(sh, ['-c', `printf '%s\\n' ${joined}`], { encoding: 'utf8' })
        .split('\n')
        .slice(0, -1);
      expect(received).toEqual(args);
    }
    expect(gstLaunchArgsValue(pipelines[0])).toBe(
      'rtspsrc location=rtsp://user:pw@cam.local:554/live ! decodebin ! jpegenc',
    );
  });

  it('accepts the original component configuration keys', () => {
    const original = {
      device_name: 'MyEdgeImpulseDevice',
      launch: 'linux',
      sleep_time_sec: '10',
      lock_filename: '/tmp/ei_lockfile_linux',
      gst_args: '__none__',
      eiparams: '--greengrass',
      iotcore_backoff: '5',
      iotcore_qos: '1',
      ei_bindir: '/usr/local/bin',
      ei_sm_secret_id: 'EI_API_KEY',
      ei_sm_secret_name: 'ei_api_key',
      ei_ggc_user_groups: 'video audio input users',
      install_kvssink: 'no',
      node_version: '20.12.1',
      vips_version: '8.12.1',
      publish_inference_base64_image: 'no',
      enable_cache_to_file: 'no',
      cache_file_directory: '__none__',
    };
    const parsed = parseParameters('linux-service', { Parameters: original });
    expect(parsed.config).toMatchObject({ eiparams: ['--greengrass'], launch: 'linux', sleep_time_sec: 10 });
    expect(parsed.config.gst_args).toBeUndefined();
  });
});
