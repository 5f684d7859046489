/**
 * End to end with real parts only: the MCU emulator on a socat pseudo-terminal, the built `ei-gg-serial-runner`
 * bin as a child process, the Greengrass IPC endpoint (real wire protocol, the recipe's policy enforced) bridged
 * to a real mosquitto broker, and a broker client playing the cloud.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  componentAccessControl,
  deviceTopics,
  encodeInferencePayload,
  isEmptyResult,
  readDeviceIdentitySources,
  uniqueDeviceName,
  type InferenceResult,
} from '@ei-gg/core';
import {
  FIRMWARE_RESULT_BLOCKS,
  IpcEndpoint,
  McuEmulator,
  startIotCore,
  startProcess,
  waitFor,
  type IotCoreStandIn,
  type ManagedProcess,
  type TestMqttClient,
} from '@ei-gg/testbench';
import { SerialResultParser } from '../src/parser';
import { FIXTURE_DIR } from './fixture-transcripts';

const BIN = join(__dirname, '../bin/ei-gg-serial-runner.js');
const NAME = 'EdgeImpulseSerialRunnerServiceComponent';
const DEVICE = uniqueDeviceName('sr-e2e', readDeviceIdentitySources());
const TOPICS = deviceTopics(DEVICE);
const FIXTURES = FIXTURE_DIR;
const STOP_GRACE_MS = 15_000;

let iot: IotCoreStandIn;
let cloud: TestMqttClient;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  iot = await startIotCore();
});

afterAll(async () => {
  await iot?.stop();
});

beforeEach(async () => {
  cloud = await iot.cloudClient(`/edgeimpulse/device/${DEVICE}/#`);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await cloud.close();
});

interface Rig {
  emulator: McuEmulator;
  endpoint: IpcEndpoint;
  runner: ManagedProcess;
}

/** Emulator + IPC endpoint + the runner under Greengrass (no flags), with `parameters` as its configuration. */
async function startRig(
  parameters: Record<string, unknown>,
  emulatorBlocks?: string[],
  intervalMs = 150,
): Promise<Rig> {
  const emulator = await McuEmulator.start({ ...(emulatorBlocks ? { blocks: emulatorBlocks } : {}), intervalMs });
  cleanups.push(() => emulator.stop());
  const endpoint = await IpcEndpoint.start({
    componentName: NAME,
    configuration: {
      Parameters: {
        device_name: 'sr-e2e',
        serial_port: emulator.devicePath,
        iotcore_backoff: 1,
        metrics_sleeptime_ms: 0,
        lock_filename: `${emulator.devicePath}.lock`,
        ...parameters,
      },
    },
    iotCore: iot.bridge,
    policy: componentAccessControl('serial-runner'),
  });
  cleanups.push(() => endpoint.close());
  const runner = await startProcess(process.execPath, [BIN], { name: 'ei-gg-serial-runner', env: { ...endpoint.env } });
  cleanups.push(async () => {
    // SIGKILL only for a runner that hangs on SIGTERM: a slow clean exit still has to be a clean exit.
    const exit = await runner.stop(STOP_GRACE_MS);
    expect(exit).toEqual({ code: 0, signal: null });
  });
  await endpoint
    .waitForState('RUNNING', 20_000)
    .catch((error) => Promise.reject(new Error(`${error}\n${runner.output()}`)));
  return { emulator, endpoint, runner };
}

/** The payload the runner must publish for `expected`, given the fields that vary per message. */
function expectedPayload(
  expected: InferenceResult,
  received: { id: string; ts: number; total_inferences: number },
): object {
  return encodeInferencePayload(expected, {
    id: received.id,
    ts: received.ts,
    totalInferences: received.total_inferences,
  })!;
}

/** Deep equality with numbers compared within 1e-6. */
function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') throw new Error(`${path}: ${JSON.stringify(actual)} is not a number`);
    if (Math.abs(actual - expected) > 1e-6) throw new Error(`${path}: ${actual} is not within 1e-6 of ${expected}`);
    return;
  }
  if (expected && typeof expected === 'object') {
    expect(actual && typeof actual === 'object').toBe(true);
    expect(Object.keys(actual as object).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  expect(actual).toEqual(expected);
}

type Payload = { id: string; ts: number; total_inferences: number } & Record<string, unknown>;

it('relays every firmware format exactly, in order, without duplicates', async () => {
  await startRig({});
  const publishable = FIRMWARE_RESULT_BLOCKS.map((block, index) => ({ ...block, index })).filter(
    (block) => !isEmptyResult(block.expected),
  );
  const messages = await cloud.collect(TOPICS.inferenceOutput, publishable.length, 20_000);
  const payloads = messages.map((m) => m.json<Payload>());
  expect(new Set(payloads.map((p) => p.id)).size).toBe(payloads.length);
  payloads.forEach((payload, i) => {
    expect(payload.total_inferences).toBe(publishable[i].index + 1);
    expectClose(payload, expectedPayload(publishable[i].expected, payload));
  });
});

describe.each(readdirSync(FIXTURES).filter((f) => f.endsWith('.txt')))('fixture transcript %s', (file) => {
  it('is published as the parser reads it', async () => {
    const text = readFileSync(join(FIXTURES, file), 'utf8').split('\n').slice(1).join('\n');
    const results: InferenceResult[] = [];
    const parser = new SerialResultParser();
    parser.on('result', (r) => !isEmptyResult(r) && results.push(r));
    parser.push(text);
    parser.flush();
    // A board that prints only the transcript after the handshake (blocks never cycle: a long interval).
    const rig = await startRig({}, ['\n'], 3_600_000);
    await rig.emulator.replayTranscript(text);
    if (results.length === 0) {
      await expect(cloud.nextMessage(TOPICS.inferenceOutput, 1500)).rejects.toThrow();
      return;
    }
    const payloads = (await cloud.collect(TOPICS.inferenceOutput, results.length, 10_000)).map((m) =>
      m.json<Payload>(),
    );
    payloads.forEach((payload, i) => expectClose(payload, expectedPayload(results[i], payload)));
  });
});

it('publishes the same JSON on stdout with --transport stdout', async () => {
  const block = FIRMWARE_RESULT_BLOCKS[0];
  const emulator = await McuEmulator.start({ blocks: [block.text], intervalMs: 150 });
  cleanups.push(() => emulator.stop());
  const runner = await startProcess(process.execPath, [
    BIN,
    '--transport',
    'stdout',
    '--set',
    `serial_port=${emulator.devicePath}`,
    '--set',
    'device_name=sr-e2e',
    '--set',
    'iotcore_backoff=1',
    '--set',
    'metrics_sleeptime_ms=0',
    '--set',
    `lock_filename=${emulator.devicePath}.lock`,
  ]);
  cleanups.push(() => runner.stop(STOP_GRACE_MS));
  await waitFor(() => (runner.output().match(/inference\/output/g) ?? []).length >= 2, 10_000, 'two results on stdout');
  const lines = runner
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{"topic"'));
  const results = lines.map((line) => JSON.parse(line)).filter((m) => m.topic === TOPICS.inferenceOutput);
  expectClose(results[0].payload, expectedPayload(block.expected, results[0].payload));
  expect(lines.map((line) => JSON.parse(line).topic)).toContain(TOPICS.commandOutput); // started
  expect(runner.output()).toMatch(/"level":"info","msg":"board connected; impulse running"/);
});

it('recovers from unplug/replug and from a board reboot, without exiting', async () => {
  const rig = await startRig({ sleep_time_sec: 2 }, [FIRMWARE_RESULT_BLOCKS[0].text]);
  await cloud.nextMessage(TOPICS.inferenceOutput, 15_000);

  // What the board heard before the unplug: the handshake after the replug must be a new one.
  const heardBefore = rig.emulator.received.length;
  await rig.emulator.disappear();
  await new Promise((resolve) => setTimeout(resolve, 500));
  await rig.emulator.reappear();
  const unpluggedAt = Date.now();
  await waitFor(
    () => rig.emulator.received.slice(heardBefore).includes('AT+RUNIMPULSE'),
    20_000,
    'a new handshake after replug',
  );
  await nextResultAfter(unpluggedAt, 'after the replug', () => rig.runner.output());

  const rebootedAt = Date.now();
  rig.emulator.reboot();
  await nextResultAfter(rebootedAt, 'after the reboot', () => rig.runner.output());
  expect(rig.runner.isRunning()).toBe(true);
  // The cloud heard of the reboot (a field problem: power, watchdog) on the command topic.
  const errors: string[] = [];
  while (!errors.some((error) => error.includes('the board rebooted'))) {
    const reply = await cloud.nextMessage(TOPICS.commandOutput, 10_000);
    const error = reply.json<{ result: { error?: unknown } }>().result.error;
    if (typeof error === 'string') errors.push(error);
  }
  expect(errors.find((error) => error.includes('the board rebooted'))).toMatch(/^lost the board: the board rebooted/);
});

/** Waits for a result published after `since`, skipping older ones still on their way; `logs` explain a failure. */
async function nextResultAfter(since: number, what: string, logs: () => string): Promise<void> {
  // A bound for a hung test, not a speed requirement: on a loaded machine a replug's handshake takes seconds.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const left = deadline - Date.now();
    const message = await cloud
      .nextMessage(TOPICS.inferenceOutput, Math.max(1, left))
      .catch((error: unknown) =>
        Promise.reject(new Error(`no result ${what}: ${String(error)}\n${logs().slice(-4000)}`)),
      );
    if (message.json<Payload>().ts > since) return;
  }
}

it('obeys filter, backoff and metrics commands through the real command topic', async () => {
  const high = FIRMWARE_RESULT_BLOCKS[0]; // top score 0.91016
  const low = FIRMWARE_RESULT_BLOCKS.find((b) => b.name === '2026: #Regression prediction')!; // one "value" label
  await startRig({ iotcore_backoff: 3 }, [high.text, low.text]);
  // Backoff 3: of the results that pass, the 1st, 4th, 7th... are published.
  const first = (await cloud.collect(TOPICS.inferenceOutput, 2, 10_000)).map((m) => m.json<Payload>().total_inferences);
  expect(first[1] - first[0]).toBe(3);

  const command = async (body: object) => {
    await cloud.publish(TOPICS.commandInput, body, { qos: 1 });
    for (;;) {
      const reply = (await cloud.nextMessage(TOPICS.commandOutput, 10_000)).json<{ result: Record<string, unknown> }>()
        .result;
      if (!('status' in reply)) return reply;
    }
  };
  expect(await command({ cmd: 'set_threshold_filter_confidence', value: 0.9 })).toEqual({ confidence_threshold: 0.9 });
  expect(await command({ cmd: 'enable_threshold_filter' })).toEqual({
    threshold_filter_config: { enabled: 'yes', confidence_threshold: 0.9, threshold_criteria: 'ge' },
  });
  expect(await command({ cmd: 'get_model_info' })).toEqual({
    model_info: {
      model_name: 'ei-gg emulated model',
      model_version: expect.stringMatching(/^v\d+$/),
      model_params: expect.objectContaining({ at_version: '1.8.0' }),
    },
  });
  const since = Date.now();
  const after = [];
  while (after.length < 2) {
    const payload = (await cloud.nextMessage(TOPICS.inferenceOutput, 10_000)).json<Payload>();
    if (payload.ts > since + 50) after.push(payload);
  }
  for (const payload of after) expect(payload.c).toEqual(expect.objectContaining({ idle: 0.91016 }));

  expect(await command({ cmd: 'reset_metrics' })).toEqual({ metrics_reset: 'OK' });
  expect(await command({ cmd: 'clear_cache' })).toEqual({
    error: `clear_cache is not available: ${NAME} has no cache`,
    cmd: 'clear_cache',
  });
});

it('publishes model metrics on its interval', async () => {
  await startRig({ metrics_sleeptime_ms: 700 }, [FIRMWARE_RESULT_BLOCKS[0].text]);
  await cloud.nextMessage(TOPICS.modelMetrics, 10_000); // the first one, at start
  const later = (await cloud.nextMessage(TOPICS.modelMetrics, 10_000)).json<Record<string, unknown>>();
  expect(later).toMatchObject({
    confidence_trend: expect.stringMatching(/^(INCREASING|FLAT|DECREASING)$/),
    details: { n: expect.any(Number) },
  });
  expect((later.details as { n: number }).n).toBeGreaterThan(0);
  expect(later.mean_confidence).toBeCloseTo(0.91016, 5);
});

it('reports a missing board once on the command topic and keeps trying without exiting', async () => {
  const endpoint = await IpcEndpoint.start({
    componentName: NAME,
    configuration: {
      Parameters: {
        device_name: 'sr-e2e',
        serial_port: '/dev/ttyACM-ei-gg-missing',
        sleep_time_sec: 1,
        metrics_sleeptime_ms: 0,
        lock_filename: '/tmp/ei_gg_missing_board.lock',
      },
    },
    iotCore: iot.bridge,
    policy: componentAccessControl('serial-runner'),
  });
  cleanups.push(() => endpoint.close());
  const runner = await startProcess(process.execPath, [BIN, '--log-level', 'debug'], { env: { ...endpoint.env } });
  cleanups.push(() => runner.stop(STOP_GRACE_MS));
  expect((await cloud.nextMessage(TOPICS.commandOutput, 10_000)).json()).toEqual({
    result: {
      error: expect.stringMatching(/^serial port \/dev\/ttyACM-ei-gg-missing does not exist/),
      source: 'serial-runner',
      code: 'SERIAL_PORT_MISSING',
    },
  });
  await endpoint.waitForState('RUNNING', 20_000);
  expect((await cloud.nextMessage(TOPICS.commandOutput, 10_000)).json()).toEqual({
    result: expect.objectContaining({ status: 'started', component: NAME, device: DEVICE, transport: 'ipc' }),
  });
  await waitFor(
    () => (runner.output().match(/"from":"disconnected","to":"handshaking"/g) ?? []).length >= 3,
    20_000,
    'several reconnect attempts',
  );
  // Reported once: the later attempts add nothing on the command topic, and are counted, not logged, each.
  await expect(cloud.nextMessage(TOPICS.commandOutput, 500)).rejects.toThrow();
  expect(runner.output().match(/"msg":"board failed"/g)).toHaveLength(1);
  expect(runner.isRunning()).toBe(true);
});

it('triggered mode: one AT+RUNIMPULSE cycle per request, the board idle in between, each answer with its id', async () => {
  const block = FIRMWARE_RESULT_BLOCKS[0];
  const rig = await startRig({ inference_mode: 'triggered', iotcore_backoff: 4 }, [block.text]);
  const requestTopic = `/edgeimpulse/device/${DEVICE}/inference/request`;
  await rig.endpoint.waitForOperation('aws.greengrass#SubscribeToTopic', (request) => request.topic === requestTopic);
  await waitFor(() => rig.runner.output().includes('waiting for inference requests'), 10_000, 'the handshake');
  // Connected, but no impulse runs until asked.
  await expect(cloud.nextMessage(TOPICS.inferenceOutput, 600)).rejects.toThrow();
  expect(rig.emulator.running).toBe(false);

  rig.endpoint.publishToTopic(requestTopic, { id: 'press-1' }, 'com.example.Trigger');
  rig.endpoint.publishToTopic(requestTopic, { id: 'press-2' }, 'com.example.Trigger');
  const answers = (await cloud.collect(TOPICS.inferenceOutput, 2, 10_000)).map((m) => m.json<Payload>());
  expect(answers.map((p) => p.request_id)).toEqual(['press-1', 'press-2']);
  const { request_id: _, ...payload } = answers[0];
  expectClose(payload, expectedPayload(block.expected, answers[0]));
  await waitFor(() => !rig.emulator.running, 10_000, 'the impulse stopped after the cycle');
  expect(rig.emulator.received.split('AT+RUNIMPULSE').length - 1).toBe(2);
  await expect(cloud.nextMessage(TOPICS.inferenceOutput, 500)).rejects.toThrow();
});

it('triggered mode: a board unplugged during a cycle fails that request with an error; the next one is served after replug', async () => {
  const block = FIRMWARE_RESULT_BLOCKS[0];
  // A result only 2 s after each start: the cycle is still waiting when the board goes.
  const rig = await startRig({ inference_mode: 'triggered', sleep_time_sec: 1 }, [block.text], 2000);
  const requestTopic = `/edgeimpulse/device/${DEVICE}/inference/request`;
  await rig.endpoint.waitForOperation('aws.greengrass#SubscribeToTopic', (request) => request.topic === requestTopic);
  await waitFor(() => rig.runner.output().includes('waiting for inference requests'), 30_000, 'the handshake');

  rig.endpoint.publishToTopic(requestTopic, { id: 'lost' }, 'com.example.Trigger');
  await rig.emulator.waitForReceived('AT+RUNIMPULSE', 30_000);
  await rig.emulator.disappear();
  const failure = await rig.endpoint.waitForOperation(
    'aws.greengrass#PublishToTopic',
    (r) => localMessage(r)?.request_id === 'lost',
    30_000,
  );
  expect(localMessage(failure.request)).toEqual({
    error: expect.stringMatching(/^inference on the board failed: /),
    code: 'INFERENCE_FAILED',
    request_id: 'lost',
    ts: expect.any(Number),
  });

  await rig.emulator.reappear();
  await waitFor(
    () => rig.runner.output().split('waiting for inference requests').length === 3,
    30_000,
    'a new handshake after replug',
  );
  rig.endpoint.publishToTopic(requestTopic, { id: 'after' }, 'com.example.Trigger');
  const answer = (await cloud.nextMessage(TOPICS.inferenceOutput, 30_000)).json<Payload>();
  expect(answer.request_id).toBe('after');
});

/** The JSON message of a PublishToTopic request: what a local subscriber (the actuation component) gets. */
function localMessage(request: Record<string, unknown>): Record<string, unknown> | undefined {
  const publish = request.publishMessage as { jsonMessage?: { message?: Record<string, unknown> } } | undefined;
  return publish?.jsonMessage?.message;
}
