import { parseParameters } from '@ei-gg/core';
import { parseEiparams } from '../../src/eiparams/parse-eiparams';
import { RUNNER_FLAGS } from '../../src/eiparams/runner-flags';
import { interpretRunnerConfig, runnerSettings, type RunnerSettings } from '../../src/settings/runner-settings';

/** The runner's configuration with these keys (eiparams as the schema splits it). */
function config(parameters: Record<string, unknown> = {}) {
  return parseParameters('linux-runner', parameters).config;
}

function interpret(eiparams: string, parameters: Record<string, unknown> = {}) {
  return interpretRunnerConfig(config({ ...parameters, eiparams }));
}

/** A path of RunnerSettings, as the flag table's `sets` names it. */
function at(settings: RunnerSettings, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], settings);
}

/** Every honoured flag: given so, it sets this (the path its table entry names). */
const HONOURED: Record<string, [args: string, expected: unknown]> = {
  '--model-file': ['--model-file /opt/m/model.eim', '/opt/m/model.eim'],
  '--impulse-id': ['--impulse-id 3', 3],
  '--force-target': ['--force-target runner-linux-aarch64', 'runner-linux-aarch64'],
  '--force-engine': ['--force-engine tflite', 'tflite'],
  '--force-variant': ['--force-variant akida', 'akida'],
  '--quantized': ['--quantized', 'int8'],
  '--camera': ['--camera "HD Pro Webcam C920"', 'HD Pro Webcam C920'],
  '--force-camera-resolution': ['--force-camera-resolution 1280,720', { width: 1280, height: 720 }],
  '--gst-launch-args': [
    '--gst-launch-args "v4l2src device=/dev/video0 ! jpegenc"',
    ['v4l2src', 'device=/dev/video0', '!', 'jpegenc'],
  ],
  '--gst-source': [
    '--gst-source "tcpserversrc host=0.0.0.0 port=5050 ! jpegdec"',
    ['tcpserversrc', 'host=0.0.0.0', 'port=5050', '!', 'jpegdec'],
  ],
  '--fake-camera': ['--fake-camera /data/cat.jpg', '/data/cat.jpg'],
  '--microphone': ['--microphone hw:1,0', ['alsasrc', 'device=hw:1,0']],
  '--force-resize-mode': ['--force-resize-mode fit-longest', 'fit-longest'],
  '--thresholds': [
    '--thresholds 5.min_score=0.95,4.min_anomaly_score=35,6.enabled=true',
    [
      { blockId: 5, key: 'min_score', value: 0.95 },
      { blockId: 4, key: 'min_anomaly_score', value: 35 },
      { blockId: 6, key: 'enabled', value: 1 },
    ],
  ],
  '--verbose': ['--verbose', true],
  '--preview-port': ['--preview-port 5000', 5000],
  '--preview-host': ['--preview-host 0.0.0.0', '0.0.0.0'],
  '--preview-original-resolution': ['--preview-original-resolution', true],
  '--run-http-server': ['--run-http-server 8080', 8080],
  '--mode': ['--mode http-server', 1337],
  '--shm-behavior': ['--shm-behavior never', 'never'],
};

describe('every flag of edge-impulse-linux-runner is honoured or refused by name', () => {
  it('the table names each flag once, and every honoured flag has a case here', () => {
    const names = RUNNER_FLAGS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(HONOURED).sort()).toEqual(
      RUNNER_FLAGS.filter((f) => f.handling === 'honoured')
        .map((f) => f.name)
        .sort(),
    );
  });

  it.each(Object.entries(HONOURED))('%s changes its effective setting', (name, [args, expected]) => {
    const flag = RUNNER_FLAGS.find((f) => f.name === name)!;
    const before = interpret('--greengrass');
    const after = interpret(`--greengrass ${args}`);
    expect(after.problems).toEqual([]);
    expect(after.warnings).toEqual([]);
    expect(at(after.settings, flag.sets!)).toEqual(expected);
    expect(at(before.settings, flag.sets!)).not.toEqual(expected);
    expect(after.flags).toContainEqual(expect.objectContaining({ flag: name, handling: 'honoured', sets: flag.sets }));
  });

  it.each(RUNNER_FLAGS.filter((f) => f.handling === 'refused').map((f) => [f.name, f]))(
    '%s is ignored with a warning naming it and why',
    (name, flag) => {
      const { warnings, problems, flags } = interpret(flag.value ? `${name} 500` : name);
      expect(problems).toEqual([]);
      expect(warnings).toEqual([`eiparams: ${name} is not honoured: ${flag.here}`]);
      expect(flags).toEqual([{ flag: name, ...(flag.value ? { value: '500' } : {}), handling: 'refused' }]);
    },
  );

  it.each(RUNNER_FLAGS.filter((f) => f.handling === 'implied').map((f) => [f.name]))(
    '%s is implied: accepted, nothing to change',
    (name) => {
      const { warnings, problems, flags, settings } = interpret(name);
      expect([warnings, problems]).toEqual([[], []]);
      expect(flags).toEqual([{ flag: name, handling: 'implied' }]);
      expect(settings).toEqual(interpret('').settings);
    },
  );

  it('--api-key is a problem that never shows the key', () => {
    for (const args of ['--api-key ei_0123456789abcdef', '--api-key=ei_0123456789abcdef']) {
      const parsed = parseEiparams(args.split(' '));
      expect(parsed.problems).toEqual([expect.stringMatching(/^--api-key is refused: .*ei_sm_secret_id/)]);
      expect(JSON.stringify(parsed)).not.toContain('ei_0123456789abcdef');
      expect(parsed.shown).toEqual(args.includes('=') ? ['--api-key=<redacted>'] : ['--api-key', '<redacted>']);
    }
    expect(() => runnerSettings(config({ eiparams: '--api-key ei_0123456789abcdef' }))).toThrow(
      /^eiparams: --api-key is refused/,
    );
  });
});

describe('bad values name the flag, the value and what is allowed', () => {
  it.each([
    ['--force-resize-mode stretch', '--force-resize-mode "stretch": allowed: squash, fit-shortest, fit-longest'],
    ['--force-variant int4', '--force-variant "int4": allowed: int8, float32, akida'],
    ['--shm-behavior sometimes', '--shm-behavior "sometimes": allowed: auto, always, never'],
    ['--mode batch', '--mode "batch": allowed: streaming, http-server'],
    [
      '--force-camera-resolution 1280x720',
      '--force-camera-resolution "1280x720": must be two integers >= 1 split by a comma, width then height (e.g. 1280,720)',
    ],
    [
      '--thresholds 5.min_score=high',
      '--thresholds "5.min_score=high": "5.min_score=high" is not <blockId>.<key>=<value> (e.g. 5.min_score=0.8; a number, true or false)',
    ],
    ['--impulse-id first', '--impulse-id "first": must be an impulse id, an integer >= 1'],
    ['--preview-port 70000', '--preview-port "70000": must be a TCP port (1-65535) or off'],
    ['--run-http-server http', '--run-http-server "http": must be a TCP port (1-65535) or off'],
    [
      '--preview-host http://0.0.0.0',
      '--preview-host "http://0.0.0.0": must be an IP address or host name of this device (0.0.0.0 for every interface)',
    ],
    ['--model-file model.eim', '--model-file "model.eim": must be an absolute path to a .eim file'],
    [
      '--fake-camera /data/cat.gif',
      '--fake-camera "/data/cat.gif": must be an absolute path to a .jpg, .jpeg or .png file',
    ],
    [
      `--gst-source '"v4l2src ! jpegdec'`,
      '--gst-source ""v4l2src ! jpegdec": must be GStreamer elements with balanced quotes',
    ],
    ['--camera', '--camera needs a value: <name|/dev/videoN>'],
    ['--camera --verbose', '--camera needs a value: <name|/dev/videoN>'],
    ['--preview-port=', '--preview-port needs a value: <port>'],
    ['--verbose=yes', '--verbose takes no value (got "yes")'],
    ['--force-variant int8 --quantized', '--force-variant and --quantized cannot be combined; keep one'],
    ['--mode streaming --run-http-server 8080', '--mode streaming and --run-http-server cannot be combined; keep one'],
    [
      '--gst-source tcpserversrc --gst-launch-args videotestsrc',
      '--gst-source and --gst-launch-args cannot be combined; keep one',
    ],
  ])('%s', (args, problem) => {
    const parsed = interpret(args);
    expect(parsed.problems).toEqual([problem]);
    expect(() => runnerSettings(config({ eiparams: args }))).toThrow(`eiparams: ${problem}`);
  });
});

describe('how flags are read', () => {
  it('takes --flag=value as --flag value', () => {
    expect(
      interpret('--camera=/dev/video2 --force-resize-mode=fit-shortest --thresholds=5.min_score=0.9').settings,
    ).toMatchObject({
      input: { camera: '/dev/video2' },
      resizeMode: 'fit-shortest',
      modelThresholds: [{ blockId: 5, key: 'min_score', value: 0.9 }],
    });
  });

  it('warns about unknown flags, stray words and repeated flags; never silent', () => {
    const { warnings, settings, flags } = interpret(
      '--greengrass --foo bar baz --camera /dev/video1 --camera /dev/video2',
    );
    expect(warnings).toEqual([
      'eiparams: --foo is not a flag of edge-impulse-linux-runner; ignored',
      'eiparams: "baz" is not a flag (edge-impulse-linux-runner takes no arguments); ignored',
      'eiparams: --camera is given more than once; the last one ("/dev/video2") is used',
    ]);
    expect(settings.input.camera).toBe('/dev/video2');
    expect(flags).toContainEqual({ flag: '--foo', value: 'bar', handling: 'unknown' });
  });

  it('reads the default eiparams (--greengrass) as the keys alone', () => {
    const { settings, warnings, problems } = interpretRunnerConfig(config());
    expect([warnings, problems]).toEqual([[], []]);
    expect(settings).toEqual({
      preview: { port: 4912, host: '127.0.0.1', originalResolution: false },
      httpServer: { port: 'off', host: '127.0.0.1' },
      modelThresholds: [],
      model: { shm: 'auto' },
      input: {},
      verbose: false,
    });
  });
});

describe('keys first, flags override the key of the same concept', () => {
  it.each([
    [
      'ei_local_model_file',
      '/opt/key.eim',
      '--model-file /opt/flag.eim',
      'model.file',
      '/opt/key.eim',
      '/opt/flag.eim',
    ],
    ['camera', '/dev/video0', '--camera /dev/video4', 'input.camera', '/dev/video0', '/dev/video4'],
    [
      'gst_args',
      'videotestsrc ! jpegenc',
      '--gst-launch-args "v4l2src ! jpegenc"',
      'input.cameraPipeline',
      ['videotestsrc', '!', 'jpegenc'],
      ['v4l2src', '!', 'jpegenc'],
    ],
    [
      'gst_args',
      'pulsesrc',
      '--microphone hw:2,0',
      'input.microphoneSource',
      ['pulsesrc'],
      ['alsasrc', 'device=hw:2,0'],
    ],
    ['preview_port', 4000, '--preview-port 4001', 'preview.port', 4000, 4001],
    ['preview_host', '127.0.0.1', '--preview-host 192.168.1.5', 'preview.host', '127.0.0.1', '192.168.1.5'],
    ['http_server_port', 9000, '--run-http-server 9001', 'httpServer.port', 9000, 9001],
    ['http_server_port', 9000, '--mode http-server', 'httpServer.port', 9000, 9000],
  ])('%s (key %p) vs %s', (key, keyValue, args, path, fromKey, fromFlag) => {
    expect(at(interpret('--greengrass', { [key]: keyValue }).settings, path)).toEqual(fromKey);
    expect(at(interpret(args, { [key]: keyValue }).settings, path)).toEqual(fromFlag);
  });
});

describe('flags another setting makes pointless are named', () => {
  it.each([
    [
      '--camera /dev/video2',
      { input: 'images:/data' },
      '--camera has no effect: the input is images:/data, not a camera',
    ],
    [
      '--microphone hw:1,0',
      { input: 'video:/x.mp4' },
      '--microphone has no effect: the input is video:/x.mp4, not the microphone',
    ],
    ['--camera /dev/video2 --fake-camera /a.png', {}, '--camera has no effect: --fake-camera replaces the camera'],
    [
      '--force-camera-resolution 640,480',
      { gst_args: 'videotestsrc ! jpegenc' },
      '--force-camera-resolution has no effect: the camera pipeline is given whole by gst_args',
    ],
    [
      '--camera /dev/video2 --gst-launch-args videotestsrc',
      {},
      '--camera has no effect: the camera pipeline is given whole by --gst-launch-args',
    ],
    [
      '--camera /dev/video2 --gst-source videotestsrc',
      {},
      '--camera has no effect: --gst-source replaces the camera device',
    ],
  ])('%s with %p', (args, parameters, warning) => {
    expect(interpret(args, parameters).warnings).toEqual([`eiparams: ${warning}`]);
  });
});
