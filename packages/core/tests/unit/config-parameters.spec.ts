import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors';
import { parseParameters } from '../../src/config/parse-parameters';
import { PARAMETER_SHAPES } from '../../src/config/parameters-schema';
import { COMPONENT_KINDS, type ComponentKind } from '../../src/component-kind';

function issuesOf(kind: ComponentKind, input: unknown): ConfigError['issues'] {
  try {
    parseParameters(kind, input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('parseParameters: defaults', () => {
  it('gives the linux-runner defaults of the original recipe (threshold 0.7, not 50)', () => {
    const { config, warnings } = parseParameters('linux-runner', {});
    expect(config).toEqual({
      device_name: 'MyEdgeImpulseDevice',
      iotcore_backoff: 5,
      iotcore_qos: 1,
      sleep_time_sec: 10,
      lock_filename: '/tmp/ei_lockfile_runner',
      ei_bindir: '/usr/local/bin',
      ei_ggc_user_groups: ['video', 'audio', 'input', 'users'],
      node_version: undefined,
      ei_sm_secret_id: 'EI_API_KEY',
      ei_sm_secret_name: 'ei_api_key',
      vips_version: undefined,
      launch: 'runner',
      gst_args: undefined,
      eiparams: ['--greengrass'],
      install_kvssink: false,
      publish_inference_base64_image: false,
      enable_cache_to_file: false,
      cache_file_directory: undefined,
      enable_threshold_limit: false,
      default_threshold: 0.7,
      threshold_criteria: 'ge',
      metrics_sleeptime_ms: 30000,
      local_results_topic: 'auto',
      inference_mode: 'continuous',
      inference_request_topic: 'auto',
      inference_queue_limit: 8,
      shadow_name: undefined,
      input: undefined,
      ei_local_model_file: undefined,
      ei_shutdown_behavior: undefined,
      ei_poll_sleeptime_ms: 2500,
      enable_cache_to_s3: false,
      s3_bucket: undefined,
      cache_file_max_mb: 100,
      cache_s3_spool_max_mb: 64,
      preview_port: 4912,
      preview_host: '127.0.0.1',
      http_server_port: 'off',
      http_server_host: '127.0.0.1',
      web_token_secret_key: undefined,
    });
    expect(warnings).toEqual([]);
  });

  it('reads the web ports as a port or off, the hosts as an address to bind, refusing anything else by name', () => {
    const { config } = parseParameters('linux-runner', {
      preview_port: 'OFF',
      http_server_port: '1337',
      http_server_host: '0.0.0.0',
    });
    expect([config.preview_port, config.http_server_port, config.http_server_host]).toEqual(['off', 1337, '0.0.0.0']);
    expect(() => parseParameters('linux-runner', { preview_port: '0', preview_host: 'http://x' })).toThrow(
      expect.objectContaining({
        issues: [
          expect.objectContaining({
            key: 'preview_port',
            message: expect.stringContaining('a TCP port (1-65535) or off'),
          }),
          expect.objectContaining({
            key: 'preview_host',
            message: expect.stringContaining('an IP address or host name'),
          }),
        ],
      }),
    );
  });

  it('differs per component where the originals differ', () => {
    const service = parseParameters('linux-service', {}).config;
    const serial = parseParameters('serial-runner', {}).config;
    expect(service.launch).toBe('linux');
    expect(service.lock_filename).toBe('/tmp/ei_lockfile_linux');
    expect(serial.lock_filename).toBe('/tmp/ei_lockfile_serial_runner');
    expect(serial.ei_ggc_user_groups).toEqual(['video', 'audio', 'input', 'users', 'dialout']);
    expect(serial.baud_rate).toBe(115200);
    expect(serial.serial_port).toBeUndefined();
    expect('ei_sm_secret_id' in serial).toBe(false);
    expect('default_threshold' in service).toBe(false);
  });

  it('treats "__none__", empty and null as unset', () => {
    for (const unset of ['__none__', '', null]) {
      const { config } = parseParameters('linux-runner', {
        iotcore_qos: unset,
        ei_local_model_file: unset,
        default_threshold: unset,
      });
      expect(config.iotcore_qos).toBe(1);
      expect(config.ei_local_model_file).toBeUndefined();
      expect(config.default_threshold).toBe(0.7);
    }
  });
});

describe('parseParameters: coercions', () => {
  const flagKeys = [
    'install_kvssink',
    'publish_inference_base64_image',
    'enable_threshold_limit',
    'enable_cache_to_s3',
  ] as const;
  it.each(flagKeys)('%s accepts yes/no, true/false and booleans in any case', (key) => {
    const extra = key === 'enable_cache_to_s3' ? { s3_bucket: 'my-bucket' } : {};
    for (const [raw, expected] of [
      ['yes', true],
      ['YES', true],
      [' No ', false],
      ['true', true],
      ['False', false],
      [true, true],
      [false, false],
    ] as const) {
      expect(parseParameters('linux-runner', { [key]: raw, ...extra }).config[key]).toBe(expected);
    }
    expect(issuesOf('linux-runner', { [key]: 'maybe', ...extra })).toEqual([
      { key, value: 'maybe', message: 'must be yes or no (true/false also accepted)' },
    ]);
    expect(issuesOf('linux-runner', { [key]: 1, ...extra })[0].key).toBe(key);
  });

  it('takes numbers given as strings and rejects what is not a number', () => {
    const { config } = parseParameters('linux-runner', {
      iotcore_backoff: '0',
      iotcore_qos: '0',
      sleep_time_sec: ' 3 ',
      metrics_sleeptime_ms: '1000',
      ei_poll_sleeptime_ms: 100,
    });
    expect(config).toMatchObject({
      iotcore_backoff: 0,
      iotcore_qos: 0,
      sleep_time_sec: 3,
      metrics_sleeptime_ms: 1000,
      ei_poll_sleeptime_ms: 100,
    });
    expect(parseParameters('linux-runner', { iotcore_backoff: '-3' }).config.iotcore_backoff).toBe(-3);
    expect(issuesOf('linux-runner', { iotcore_backoff: 'five' })).toEqual([
      { key: 'iotcore_backoff', value: 'five', message: 'must be an integer' },
    ]);
    expect(issuesOf('linux-runner', { iotcore_backoff: 2.5 })[0].key).toBe('iotcore_backoff');
  });

  it('iotcore_qos is 0 or 1', () => {
    expect(issuesOf('serial-runner', { iotcore_qos: 2 })).toEqual([
      { key: 'iotcore_qos', value: 2, message: 'must be 0 or 1' },
    ]);
  });

  it.each([
    ['sleep_time_sec', 0],
    ['sleep_time_sec', 'x'],
    ['metrics_sleeptime_ms', -1],
    ['ei_poll_sleeptime_ms', -5],
    ['baud_rate', 12],
    ['baud_rate', '115200.5'],
  ])('%s rejects %p with what is allowed', (key, value) => {
    const kind = key === 'baud_rate' ? 'serial-runner' : 'linux-runner';
    const [issue] = issuesOf(kind, { [key]: value });
    expect(issue.key).toBe(key);
    expect(issue.value).toBe(value);
    expect(issue.message).toMatch(/^must be an integer/);
  });

  describe('default_threshold', () => {
    it.each([
      [0.5, 0.5],
      ['0.25', 0.25],
      [1, 1],
      ['1.0', 1],
    ])('accepts %p as %p', (raw, expected) => {
      const { config, warnings } = parseParameters('linux-runner', { default_threshold: raw });
      expect(config.default_threshold).toBe(expected);
      expect(warnings).toEqual([]);
    });
    it.each([
      [50, 0.5],
      ['50.0', 0.5],
      [100, 1],
      [1.5, 0.015],
    ])('reads %p as a percentage (%p) with a warning', (raw, expected) => {
      const { config, warnings } = parseParameters('serial-runner', { default_threshold: raw });
      expect(config.default_threshold).toBeCloseTo(expected, 12);
      expect(warnings).toEqual([
        expect.stringMatching(/^default_threshold: .* read as a percentage; effective threshold /),
      ]);
    });
    it.each([0, -0.1, 100.5, 'high', true])('rejects %p', (raw) => {
      expect(issuesOf('linux-runner', { default_threshold: raw })).toEqual([
        { key: 'default_threshold', value: raw, message: 'must be a number in (0, 1], or a percentage in (1, 100]' },
      ]);
    });
  });

  it('threshold_criteria is one of gt ge eq le lt, any case', () => {
    for (const c of ['gt', 'ge', 'eq', 'le', 'lt'])
      expect(parseParameters('linux-runner', { threshold_criteria: c.toUpperCase() }).config.threshold_criteria).toBe(
        c,
      );
    expect(issuesOf('linux-runner', { threshold_criteria: '>=' })).toEqual([
      { key: 'threshold_criteria', value: '>=', message: 'must be one of gt, ge, eq, le, lt' },
    ]);
  });

  it('ei_shutdown_behavior accepts wait_for_restart and its alias wait_on_restart', () => {
    expect(
      parseParameters('linux-runner', { ei_shutdown_behavior: 'wait_for_restart' }).config.ei_shutdown_behavior,
    ).toBe('wait_for_restart');
    expect(
      parseParameters('linux-runner', { ei_shutdown_behavior: 'wait_on_restart' }).config.ei_shutdown_behavior,
    ).toBe('wait_for_restart');
    expect(issuesOf('linux-runner', { ei_shutdown_behavior: 'exit' })[0].message).toBe(
      'must be wait_for_restart (alias wait_on_restart)',
    );
  });

  it('launch is linux or runner', () => {
    expect(parseParameters('linux-service', { launch: 'runner' }).config.launch).toBe('runner');
    expect(issuesOf('linux-service', { launch: 'docker' })[0]).toMatchObject({
      key: 'launch',
      message: 'must be linux or runner',
    });
  });

  it('device_name is sanitised and MQTT wildcards or slashes are rejected', () => {
    expect(parseParameters('serial-runner', { device_name: ' line 3 "cam" ' }).config.device_name).toBe('line_3_cam');
    for (const bad of ['a+b', 'a#', 'x/y', '   ', 42]) {
      expect(issuesOf('serial-runner', { device_name: bad })[0]).toMatchObject({
        key: 'device_name',
        message: expect.stringContaining('"+", "#" or "/"'),
      });
    }
  });

  it('paths must be absolute', () => {
    for (const key of ['lock_filename', 'ei_bindir', 'cache_file_directory', 'ei_local_model_file'] as const) {
      expect(issuesOf('linux-runner', { [key]: 'relative/path' })[0]).toMatchObject({
        key,
        message: expect.stringMatching(/absolute path/),
      });
    }
    expect(parseParameters('linux-runner', { ei_local_model_file: '/opt/model.eim' }).config.ei_local_model_file).toBe(
      '/opt/model.eim',
    );
    expect(issuesOf('serial-runner', { serial_port: 'ttyACM0' })[0]).toMatchObject({
      key: 'serial_port',
      message: 'must be a device path such as /dev/ttyACM0',
    });
  });

  it('ei_ggc_user_groups is a list of group names (string or array)', () => {
    expect(parseParameters('linux-runner', { ei_ggc_user_groups: 'video  render' }).config.ei_ggc_user_groups).toEqual([
      'video',
      'render',
    ]);
    expect(parseParameters('linux-runner', { ei_ggc_user_groups: ['video'] }).config.ei_ggc_user_groups).toEqual([
      'video',
    ]);
    expect(issuesOf('linux-runner', { ei_ggc_user_groups: 'video; rm -rf /' })[0].key).toBe('ei_ggc_user_groups');
  });

  it('eiparams is split into arguments without a shell', () => {
    expect(
      parseParameters('linux-service', { eiparams: '--greengrass --api-key-file "/a b/k"' }).config.eiparams,
    ).toEqual(['--greengrass', '--api-key-file', '/a b/k']);
    expect(issuesOf('linux-service', { eiparams: '--x "open' })[0].key).toBe('eiparams');
  });

  it('gst_args keeps a camera URL intact in the colon form', () => {
    const { config } = parseParameters('linux-runner', {
      gst_args: 'rtspsrc:location=rtsp://cam.local:554/live:!:decodebin',
    });
    expect(config.gst_args).toEqual(['rtspsrc', 'location=rtsp://cam.local:554/live', '!', 'decodebin']);
  });

  it('input is camera, microphone, video:, images: or images-loop:', () => {
    for (const ok of ['camera', 'microphone', 'video:/tmp/a.mp4', 'images:/data', 'images-loop:/data'])
      expect(parseParameters('linux-runner', { input: ok }).config.input).toBe(ok);
    expect(issuesOf('linux-runner', { input: 'video:' })[0].key).toBe('input');
    expect(issuesOf('linux-runner', { input: 'webcam' })[0].message).toBe(
      'must be camera, microphone, video:<file>, images:<dir> or images-loop:<dir>',
    );
  });

  it('s3_bucket follows S3 naming rules', () => {
    expect(parseParameters('linux-runner', { s3_bucket: 'ei-cache.v2' }).config.s3_bucket).toBe('ei-cache.v2');
    expect(issuesOf('linux-runner', { s3_bucket: 'MyS3Bucket123' })[0].key).toBe('s3_bucket');
  });

  it('a switched-on cache needs its location', () => {
    expect(issuesOf('linux-runner', { enable_cache_to_file: 'yes', enable_cache_to_s3: 'yes' })).toEqual([
      {
        key: 'cache_file_directory',
        value: undefined,
        message: 'must be set (an absolute path) when enable_cache_to_file is yes',
      },
      { key: 's3_bucket', value: undefined, message: 'must be set (a bucket name) when enable_cache_to_s3 is yes' },
    ]);
  });

  it('bounds the caches in whole MiB, never unbounded, on the component that has them', () => {
    const { config } = parseParameters('linux-runner', { cache_file_max_mb: '2', cache_s3_spool_max_mb: 1 });
    expect([config.cache_file_max_mb, config.cache_s3_spool_max_mb]).toEqual([2, 1]);
    for (const bad of [0, -1, 1.5, 'lots', 1_048_577]) {
      expect(issuesOf('linux-runner', { cache_file_max_mb: bad })).toEqual([
        { key: 'cache_file_max_mb', value: bad, message: 'must be an integer from 1 to 1048576 (MiB)' },
      ]);
    }
    expect('cache_file_max_mb' in PARAMETER_SHAPES['linux-service']).toBe(false);
    expect('cache_s3_spool_max_mb' in PARAMETER_SHAPES['serial-runner']).toBe(false);
  });
});

describe('parseParameters: errors and warnings', () => {
  it('reports every problem at once, naming key, value and what is allowed', () => {
    let error: ConfigError | undefined;
    try {
      parseParameters('linux-runner', {
        Parameters: { iotcore_qos: 5, threshold_criteria: 'gte', enable_threshold_limit: 'maybe' },
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.issues.map((i) => i.key)).toEqual(['iotcore_qos', 'enable_threshold_limit', 'threshold_criteria']);
    expect(error?.message).toContain('3 problems');
    expect(error?.message).toContain('iotcore_qos: must be 0 or 1 (got 5)');
    expect(error?.message).toContain('threshold_criteria: must be one of gt, ge, eq, le, lt (got "gte")');
  });

  it('accepts both Greengrass-shaped and flat configuration', () => {
    expect(parseParameters('serial-runner', { Parameters: { iotcore_qos: '0' } }).config.iotcore_qos).toBe(0);
    expect(parseParameters('serial-runner', { iotcore_qos: '0' }).config.iotcore_qos).toBe(0);
  });

  it('rejects a configuration that is not an object', () => {
    expect(issuesOf('serial-runner', [1, 2])[0]).toMatchObject({ key: '(configuration)' });
    expect(issuesOf('serial-runner', { Parameters: 'x' })[0]).toMatchObject({ key: 'Parameters' });
  });

  it('warns about unknown keys, keys of other components and ignored version keys', () => {
    const { warnings } = parseParameters('serial-runner', { s3_bucket: 'b-1', colour: 'red', node_version: '20.12.1' });
    expect(warnings).toEqual([
      's3_bucket: not used by EdgeImpulseSerialRunnerServiceComponent (only by EdgeImpulseLinuxRunnerServiceComponent); ignored',
      'colour: unknown key; ignored',
      'node_version: ignored; the artifact is self-contained (bundled Node.js runtime and libvips)',
    ]);
  });

  it('never returns keys that are not in the schema', () => {
    for (const kind of COMPONENT_KINDS) {
      const { config } = parseParameters(kind, { surprise: 1 });
      expect(config).not.toHaveProperty('surprise');
      expect(Object.keys(PARAMETER_SHAPES[kind])).toEqual(expect.arrayContaining(Object.keys(config)));
    }
  });
});

/** The original recipes' default configurations, copied from public documents (fixtures/original-configs/README.md). */
describe('original default configurations', () => {
  const dir = join(__dirname, '../fixtures/original-configs');
  const byName: Record<string, ComponentKind> = {
    EdgeImpulseLinuxServiceComponent: 'linux-service',
    EdgeImpulseLinuxRunnerServiceComponent: 'linux-runner',
    EdgeImpulseSerialRunnerServiceComponent: 'serial-runner',
  };
  // Files are named <source>.<ComponentName>.json.
  const blocks = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({
      source: file,
      kind: byName[file.split('.')[1]],
      json: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>,
    }));

  it('has the configurations of all three components', () => {
    expect(new Set(blocks.map((b) => b.kind))).toEqual(new Set(COMPONENT_KINDS));
  });

  it.each(blocks.map((b) => [b.source, b] as const))('%s parses without error', (_source, block) => {
    const { config, warnings } = parseParameters(block.kind, { Parameters: block.json });
    expect(config.device_name).toBe('MyEdgeImpulseDevice');
    if (block.json.default_threshold === 50.0) {
      expect((config as { default_threshold: number }).default_threshold).toBe(0.5);
      expect(warnings).toContain(
        'default_threshold: 50 read as a percentage; effective threshold 0.5 (use a value in (0, 1])',
      );
    }
  });
});

describe('every key of every component', () => {
  const cases = COMPONENT_KINDS.flatMap((kind) =>
    Object.keys(PARAMETER_SHAPES[kind]).map((key) => [kind, key] as const),
  );

  it.each(cases)(
    '%s %s: has a default or is optional, and an object is rejected naming the key and what is allowed',
    (kind, key) => {
      expect(() => parseParameters(kind, {})).not.toThrow();
      const [issue] = issuesOf(kind, { [key]: { nested: true } });
      expect(issue.key).toBe(key);
      expect(issue.value).toEqual({ nested: true });
      expect(issue.message).toMatch(/^must be /);
      expect(issue.message.length).toBeGreaterThan('must be '.length + 3);
    },
  );
});
