import { mkdtempSync, writeFileSync } from 'node:fs';
import { capturedIo } from '../support/captured-io';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCliArgs } from '../../src/cli/parse-cli-args';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, runComponentCli } from '../../src/cli/run-component-cli';

const io = capturedIo;

describe('parseCliArgs', () => {
  it('has defaults for a run with no flags (Greengrass)', () => {
    expect(parseCliArgs([])).toEqual({ sets: [], transport: 'auto', mqtt: {}, help: false, checkConfig: false });
  });

  it('reads every flag', () => {
    const o = parseCliArgs([
      '--config',
      'c.json',
      '--set',
      'iotcore_qos=0',
      '--set',
      'gst_args=a=b:c',
      '--transport',
      'mqtt',
      '--mqtt-url',
      'mqtts://iot.example.com:8883',
      '--cert',
      'c.pem',
      '--key',
      'k.pem',
      '--ca',
      'ca.pem',
      '--client-id',
      'dev-1',
      '--log-level',
      'debug',
      '--check-config',
    ]);
    expect(o).toEqual({
      configFile: 'c.json',
      sets: [
        ['iotcore_qos', '0'],
        ['gst_args', 'a=b:c'],
      ],
      transport: 'mqtt',
      mqtt: { url: 'mqtts://iot.example.com:8883', cert: 'c.pem', key: 'k.pem', ca: 'ca.pem', clientId: 'dev-1' },
      logLevel: 'debug',
      help: false,
      checkConfig: true,
    });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /Unexpected argument 'extra'|positional/],
    [['--set', 'novalue'], /--set "novalue": expected key=value/],
    [['--transport', 'http'], /--transport "http": must be one of auto, ipc, mqtt, stdout/],
    [['--log-level', 'loud'], /--log-level "loud": must be one of debug, info, warn, error, silent/],
    [['--transport', 'mqtt'], /--transport mqtt needs --mqtt-url/],
    [['--mqtt-url', 'http://x:1'], /expected mqtt:\/\/host:port or mqtts:\/\/host:port/],
    [['--mqtt-url', 'mqtts://x:8883'], /needs --cert and --key/],
  ])('rejects %p', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe('runComponentCli', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ei-gg-cli-'));
  const never = async () => {
    throw new Error('main must not run');
  };

  it('--help prints usage and exits 0 without running', async () => {
    const s = io();
    expect(await runComponentCli('serial-runner', ['--help'], never, s)).toBe(EXIT_OK);
    expect(s.out()).toMatch(/^ei-gg-serial-runner: Drives a microcontroller/);
    expect(s.out()).toContain('--check-config');
  });

  it('--check-config prints the effective configuration from file and --set, then exits 0', async () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ Parameters: { device_name: 'gw', iotcore_qos: '1', default_threshold: 50 } }));
    const s = io({ AWS_IOT_THING_NAME: 'thing-1' });
    const code = await runComponentCli(
      'serial-runner',
      ['--config', file, '--set', 'iotcore_qos=0', '--check-config'],
      never,
      s,
    );
    expect(code).toBe(EXIT_OK);
    const printed = JSON.parse(s.out());
    expect(printed.component).toBe('EdgeImpulseSerialRunnerServiceComponent');
    expect(printed.parameters).toMatchObject({ device_name: 'gw', iotcore_qos: 0, default_threshold: 0.5 });
    expect(printed.deviceName).toMatch(/^gw_/);
    expect(printed.topics.commandInput).toBe(`/edgeimpulse/device/${printed.deviceName}/command/input`);
    expect(printed.warnings).toHaveLength(1);
  });

  it('--check-config prints every problem and exits non-zero', async () => {
    const s = io();
    const code = await runComponentCli(
      'linux-runner',
      ['--set', 'iotcore_qos=3', '--set', 'threshold_criteria=gte', '--check-config'],
      never,
      s,
    );
    expect(code).toBe(EXIT_FAILURE);
    expect(s.out()).toBe('');
    expect(s.err()).toContain('iotcore_qos: must be 0 or 1 (got "3")');
    expect(s.err()).toContain('threshold_criteria: must be one of gt, ge, eq, le, lt (got "gte")');
  });

  it('names an unreadable or invalid --config file', async () => {
    const s = io();
    expect(
      await runComponentCli('linux-runner', ['--config', join(dir, 'missing.json'), '--check-config'], never, s),
    ).toBe(EXIT_FAILURE);
    expect(s.err()).toMatch(/--config: cannot be read \(ENOENT\)/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"Parameters":');
    const s2 = io();
    expect(await runComponentCli('linux-runner', ['--config', bad], never, s2)).toBe(EXIT_FAILURE);
    expect(s2.err()).toMatch(/--config: is not valid JSON/);
  });

  it('usage errors exit 2', async () => {
    const s = io();
    expect(await runComponentCli('linux-service', ['--nope'], never, s)).toBe(EXIT_USAGE);
    expect(s.err()).toMatch(/^ei-gg-linux-service: Unknown option '--nope'/);
  });

  it('hands main a validated context and logs warnings as JSON on stderr', async () => {
    const s = io();
    let seen: unknown;
    const code = await runComponentCli(
      'linux-runner',
      ['--set', 'node_version=20', '--set', 'device_name=cam'],
      async (ctx) => {
        seen = {
          qos: ctx.config.current.iotcore_qos,
          name: ctx.config.current.device_name,
          topic: ctx.topics.inferenceOutput.endsWith('/inference/output'),
        };
        return 0;
      },
      s,
    );
    expect(code).toBe(0);
    expect(seen).toEqual({ qos: 1, name: 'cam', topic: true });
    const line = JSON.parse(s.err().trim());
    expect(line).toMatchObject({
      level: 'warn',
      component: 'EdgeImpulseLinuxRunnerServiceComponent',
      msg: expect.stringMatching(/^node_version: ignored/),
    });
  });

  it('a crash in main is logged and exits 1', async () => {
    const s = io();
    expect(
      await runComponentCli(
        'linux-runner',
        [],
        async () => {
          throw new Error('boom');
        },
        s,
      ),
    ).toBe(EXIT_FAILURE);
    expect(JSON.parse(s.err().trim())).toMatchObject({ level: 'error', msg: 'fatal error', err: { message: 'boom' } });
  });
});
