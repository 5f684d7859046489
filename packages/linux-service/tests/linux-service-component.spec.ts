/**
 * The component end to end in-process: the shared CLI front and host, Greengrass IPC (the testbench endpoint,
 * real wire protocol) whose IoT Core is a real mosquitto broker, a broker client playing the cloud, and the
 * stand-in client (tests/fixtures) as the supervised process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IpcEndpoint, startIotCore, waitFor, type IotCoreStandIn, type TestMqttClient } from '@ei-gg/testbench';
import { RUNNER_LOCK_PREFIX } from '../src';
import { commandLine, isAlive } from './support/processes';
import { deviceOf, STAND_IN, startLinuxService, startServiceEndpoint } from './support/host-harness';

const { device: DEVICE, topics: TOPICS } = deviceOf('lstest');
const API_KEY = 'ei_5ecret0123456789abcdef';
const PARAMETERS = {
  device_name: 'lstest',
  sleep_time_sec: 1,
  lock_filename: '/tmp/ei_gg_lstest_lock',
  eiparams: '--greengrass --verbose',
};

let iot: IotCoreStandIn;
let endpoint: IpcEndpoint;
let cloud: TestMqttClient;
let work: string;

beforeAll(async () => {
  iot = await startIotCore();
});

afterAll(async () => {
  await iot?.stop();
});

beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'ei-gg-linux-service-'));
  writeFileSync(join(work, 'video0'), '');
  cloud = await iot.cloudClient(TOPICS.commandOutput);
  endpoint = await startServiceEndpoint({ parameters: PARAMETERS, apiKey: API_KEY, iotCore: iot });
});

afterEach(async () => {
  await endpoint.close();
  await cloud.close();
  rmSync(work, { recursive: true, force: true });
});

/** The component with the stand-in client (restarting it within 200 ms), until `stop()`. */
function startComponent(clientEnv: Record<string, string>) {
  return startLinuxService(endpoint, work, clientEnv, { timings: { restartBaseMs: 200 } });
}

async function nextResult(): Promise<Record<string, unknown>> {
  return (await cloud.nextMessage(TOPICS.commandOutput, 10_000)).json<{ result: Record<string, unknown> }>().result;
}

it('reports RUNNING and started, then exited with the reason and started again when the client exits', async () => {
  const c = await startComponent({ STAND_IN_MODE: 'exit', STAND_IN_AFTER_MS: '150', STAND_IN_CODE: '4' });
  try {
    await endpoint.waitForState('RUNNING');
    expect(await nextResult()).toEqual(
      expect.objectContaining({
        status: 'started',
        ts: expect.any(Number),
        id: expect.any(String),
        component: 'EdgeImpulseLinuxServiceComponent',
        component_version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      }),
    );
    const exited = await nextResult();
    expect(exited).toMatchObject({
      status: 'exited',
      code: 4,
      signal: null,
      reason: 'exited with code 4: stand-in giving up with 4',
      restart_in_ms: expect.any(Number),
    });
    expect(exited.restart_in_ms as number).toBeLessThanOrEqual(200);
    expect(await nextResult()).toMatchObject({ status: 'started', restarts: 1, pid: expect.any(Number) });
    expect(c.logs.join('')).toContain('"msg":"client output"');
  } finally {
    expect(await c.stop()).toBe(0);
  }
  expect(existsSync('/tmp/ei_gg_lstest_lock_' + DEVICE)).toBe(false);
});

it('hands the API key over without any command line holding it, and cleans the client home', async () => {
  const record = join(work, 'record.json');
  const c = await startComponent({ STAND_IN_MODE: 'run', STAND_IN_RECORD: record });
  try {
    await nextResult(); // started
    await waitFor(() => existsSync(record), 15_000, 'the stand-in record');
    const seen = JSON.parse(readFileSync(record, 'utf8')) as {
      pid: number;
      argv: string[];
      home: string;
      deviceName: string;
      svcuid: string | null;
    };
    // In the client's memory: the key as --api-key, before the service's arguments (camera found, no microphone).
    expect(seen.argv).toEqual(['--api-key', API_KEY, '--disable-microphone', '--verbose']);
    expect(seen).toMatchObject({ home: join(work, 'edge-impulse-linux-home'), deviceName: DEVICE, svcuid: null });
    expect(commandLine(seen.pid)).toEqual([
      process.execPath,
      '--require',
      expect.stringMatching(/bootstrap\/client-bootstrap\.js$/),
      STAND_IN,
      '--disable-microphone',
      '--verbose',
    ]);
    expect(statSync(seen.home).mode & 0o777).toBe(0o700);
    expect(existsSync(join(seen.home, 'api-key'))).toBe(false); // read and deleted by the client
    expect(c.logs.join('')).not.toContain(API_KEY);
    writeFileSync(join(seen.home, 'edge-impulse-config.json'), JSON.stringify({ apiKey: API_KEY }));
  } finally {
    await c.stop();
  }
  expect(existsSync(join(work, 'edge-impulse-linux-home', 'edge-impulse-config.json'))).toBe(false);
});

it('restart: the client is stopped and started again, and get_model_info names it', async () => {
  const c = await startComponent({ STAND_IN_MODE: 'run' });
  try {
    await nextResult(); // started
    await cloud.publish(TOPICS.commandInput, { cmd: 'get_model_info', id: 'm1' }, { qos: 1 });
    const info = (await nextResult()) as { model_info: { model_params: { client_pid: number } } };
    expect(info).toMatchObject({
      model_info: {
        model_name: 'edge-impulse-linux',
        model_version: 'unknown',
        model_params: { restarts: 0, device_name: DEVICE },
      },
      id: 'm1',
    });
    const before = info.model_info.model_params.client_pid;
    await cloud.publish(TOPICS.commandInput, { cmd: 'restart' }, { qos: 1 });
    expect(await nextResult()).toEqual({ restart: 'OK' });
    expect(await nextResult()).toMatchObject({ status: 'started' });
    expect(isAlive(before)).toBe(false);
  } finally {
    await c.stop();
  }
});

it('cannot start with no camera and no microphone: ERRORED, exit 1, and why', async () => {
  rmSync(join(work, 'video0'));
  const c = await startComponent({ STAND_IN_MODE: 'run' });
  expect(await c.exit).toBe(1);
  await endpoint.waitForState('ERRORED');
  expect(c.logs.join('')).toContain('nothing to collect data from: no camera');
});

it('refuses to start while the linux-runner holds the camera', async () => {
  const lock = `${RUNNER_LOCK_PREFIX}_${DEVICE}`;
  const runner = spawn(process.execPath, [join(__dirname, 'fixtures', 'hold-file.js'), join(work, 'video0')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise((resolve) => runner.stdout.once('data', resolve));
    writeFileSync(lock, `${runner.pid}\n`);
    const c = await startComponent({ STAND_IN_MODE: 'run' });
    expect(await c.exit).toBe(1);
    await endpoint.waitForState('ERRORED');
    expect(c.logs.join('')).toContain(
      `the EdgeImpulseLinuxRunnerServiceComponent component (pid ${runner.pid}, lock ${lock}) holds the camera ${join(work, 'video0')}`,
    );
  } finally {
    runner.kill('SIGKILL');
    rmSync(lock, { force: true });
  }
});
