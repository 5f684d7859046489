/**
 * The core seams end to end against real peers: a component hosted by the shared CLI front and ComponentHost
 * talks Greengrass IPC (the real wire protocol) to the testbench endpoint, whose IoT Core is a real mosquitto
 * broker; a broker client plays the cloud. The component's pipeline is a small test one that feeds results
 * on demand: everything it drives (filter, backoff, payload, publisher, commands, configuration) is real.
 */
import { IpcEndpoint, connectTestClient, startIotCore, waitFor, type IotCoreStandIn, type TestMqttClient } from '@ei-gg/testbench';
import { runComponentCli, type ComponentContext } from '../../src/cli/run-component-cli';
import { COMPONENTS } from '../../src/component-kind';
import { readDeviceIdentitySources, uniqueDeviceName } from '../../src/identity/device-name';
import { deviceTopics } from '../../src/identity/topics';
import { ComponentHost, type HostServices } from '../../src/lifecycle/component-host';
import { componentAccessControl } from '../../src/recipe/access-control';
import type { InferenceResult } from '../../src/results/inference-result';
import { IpcSecretSource } from '../../src/greengrass/greengrass-runtime';
import { IpcConnection } from '../../src/greengrass/ipc-connection';
import { readApiKey } from '../../src/secrets/api-key-secret';
import { createTransport } from '../../src/transport/create-transport';
import { Publisher } from '../../src/publisher/publisher';
import { Logger } from '../../src/logging/logger';
import { PRODUCT_VERSION } from '../../src/version';

jest.setTimeout(30_000);

const KIND = 'serial-runner' as const;
const NAME = COMPONENTS[KIND].componentName;
const DEVICE = uniqueDeviceName('hosttest', readDeviceIdentitySources());
const TOPICS = deviceTopics(DEVICE);
const PARAMETERS = { device_name: 'hosttest', iotcore_backoff: '1', metrics_sleeptime_ms: 0, lock_filename: '/tmp/ei_gg_hosttest_lock' };

const result = (score: number): InferenceResult => ({ classification: { go: score, stop: 1 - score }, timing: { dspMs: 3, classificationMs: 2, anomalyMs: 0 } });

interface Running {
  host: ComponentHost<typeof KIND>;
  services: HostServices<typeof KIND>;
  context: ComponentContext<typeof KIND>;
  logs: string[];
  stop(): Promise<number>;
}

let iot: IotCoreStandIn;
let endpoint: IpcEndpoint;
let cloud: TestMqttClient;

const TEST_PIPELINE = { start: async () => undefined, stop: async () => undefined, modelInfo: () => ({ model_name: 'm', model_version: 'v3', model_params: {} }) };

/** Runs the component in-process through the real CLI front, until `stop()`. */
async function startComponent(): Promise<Running> {
  const logs: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let announce!: (running: Omit<Running, 'stop' | 'logs'>) => void;
  const started = new Promise<Omit<Running, 'stop' | 'logs'>>((resolve) => (announce = resolve));
  const exit = runComponentCli(
    KIND,
    [],
    async (context) => {
      const host = new ComponentHost({
        context,
        transport: createTransport(context),
        createPipeline: () => TEST_PIPELINE,
        reportState: (state) => context.greengrass!.runtime.updateState(state),
      });
      await host.start();
      announce({ host, services: host.servicesForTests, context });
      await released;
      await host.stop(2000);
      return 0;
    },
    { stdout: { write: () => true }, stderr: { write: (line: string) => logs.push(line) }, env: { ...endpoint.env } },
  );
  const running = await Promise.race([started, exit.then((code) => Promise.reject(new Error(`component exited ${code}: ${logs.join('')}`)))]);
  return { ...running, logs, stop: () => (release(), exit) };
}

beforeAll(async () => {
  iot = await startIotCore();
});

afterAll(async () => {
  await iot?.stop();
});

beforeEach(async () => {
  cloud = await iot.cloudClient(`/edgeimpulse/device/${DEVICE}/#`);
  endpoint = await IpcEndpoint.start({
    componentName: NAME,
    configuration: { Parameters: PARAMETERS },
    iotCore: iot.bridge,
    policy: componentAccessControl(KIND) as never,
    secrets: { EI_API_KEY: JSON.stringify({ ei_api_key: 'ei_0123456789abcdef' }) },
  });
});

afterEach(async () => {
  await endpoint.close();
  await cloud.close();
});

async function command(body: object, options: { retain?: boolean } = {}): Promise<Record<string, unknown>> {
  await cloud.publish(TOPICS.commandInput, body, { qos: 1, retain: options.retain ?? false });
  return (await cloud.nextMessage(TOPICS.commandOutput)).json<{ result: Record<string, unknown> }>().result;
}

it('starts: RUNNING, a started message, and results published through IPC reach the broker', async () => {
  const c = await startComponent();
  try {
    await endpoint.waitForState('RUNNING');
    expect((await cloud.nextMessage(TOPICS.commandOutput)).json()).toEqual({
      result: { status: 'started', ts: expect.any(Number), id: expect.any(String), component: NAME, component_version: PRODUCT_VERSION, device: DEVICE, transport: 'ipc' },
    });
    await c.services.inference.process(result(0.75));
    const message = await cloud.nextMessage(TOPICS.inferenceOutput);
    expect(message.json()).toEqual({
      time_ms: 5, inference_count: 2, total_inferences: 1, id: expect.stringMatching(/^[0-9a-f-]{36}$/), ts: expect.any(Number),
      c: { go: 0.75, stop: 0.25 }, time_splits: { DSP: 3, Classification: 2, Anomaly: 0, UOM: 'ms' },
    });
    expect((await endpoint.waitForPublish(TOPICS.inferenceOutput)).qos).toBe(1);
  } finally {
    expect(await c.stop()).toBe(0);
  }
});

it('publishes every result on local pub/sub too, for other components, unless turned off', async () => {
  const c = await startComponent();
  try {
    const localPublishes = () => endpoint.operations.filter((o) => o.operation === 'aws.greengrass#PublishToTopic');
    await c.services.inference.process(result(0.75));
    const cloudPayload = (await cloud.nextMessage(TOPICS.inferenceOutput)).json();
    const local = await endpoint.waitForOperation('aws.greengrass#PublishToTopic', (request) => request.topic === TOPICS.inferenceOutput);
    expect((local.request.publishMessage as { jsonMessage: { message: unknown } }).jsonMessage.message).toEqual(cloudPayload);

    endpoint.updateConfiguration({ Parameters: { ...PARAMETERS, local_results_topic: 'factory/line3/results' } });
    await waitFor(() => c.services.config.current.local_results_topic === 'factory/line3/results', 5000, 'the new topic');
    await c.services.inference.process(result(0.8));
    await cloud.nextMessage(TOPICS.inferenceOutput); // the cloud publish is unaffected by the refused local one
    await waitFor(() => c.logs.some((l) => l.includes('local results publish failed') && l.includes('factory/line3/results')), 5000, 'the refusal logged');

    endpoint.updateConfiguration({ Parameters: { ...PARAMETERS, local_results_topic: 'off' } });
    await waitFor(() => c.services.config.current.local_results_topic === 'off', 5000, 'off');
    const before = localPublishes().length;
    await c.services.inference.process(result(0.9));
    await cloud.nextMessage(TOPICS.inferenceOutput);
    expect(localPublishes().length).toBe(before);
  } finally {
    await c.stop();
  }
});

it('answers a command pushed from the cloud, echoing its id', async () => {
  const c = await startComponent();
  try {
    await cloud.nextMessage(TOPICS.commandOutput); // started
    expect(await command({ cmd: 'get_threshold_filter_config', id: 'q1' })).toEqual({
      threshold_filter_config: { enabled: 'no', confidence_threshold: 0.7, threshold_criteria: 'ge' }, id: 'q1',
    });
    expect(await command({ cmd: 'get_model_info' })).toEqual({ model_info: { model_name: 'm', model_version: 'v3', model_params: {} } });
    expect(await command({ cmd: 'no_such_verb' })).toMatchObject({ error: expect.stringMatching(/^unknown command "no_such_verb"/), cmd: 'no_such_verb' });
    await c.services.inference.process(result(0.75));
    await cloud.nextMessage(TOPICS.inferenceOutput);
    expect(await command({ cmd: 'get_status' })).toEqual({
      status: {
        component: NAME, component_version: PRODUCT_VERSION, device: DEVICE, transport: 'ipc',
        model: { name: 'm', version: 'v3' }, uptime_s: expect.any(Number),
        inferences: { seen: 1, filtered: 0, published: 1, failed: 0 },
        messages: { published: expect.any(Number), failed: 0, oversized: 0 },
      },
    });
  } finally {
    await c.stop();
  }
});

it('does not execute a repeated command id twice', async () => {
  const c = await startComponent();
  try {
    await cloud.nextMessage(TOPICS.commandOutput); // started
    expect(await command({ cmd: 'set_threshold_filter_confidence', value: 0.6, id: 'once' })).toEqual({ confidence_threshold: 0.6, id: 'once' });
    await cloud.publish(TOPICS.commandInput, { cmd: 'set_threshold_filter_confidence', value: 0.9, id: 'once' }, { qos: 1 });
    expect(await command({ cmd: 'get_threshold_filter_confidence', id: 'after' })).toEqual({ confidence_threshold: 0.6, id: 'after' });
    await waitFor(() => c.logs.some((l) => l.includes('command id already executed')), 5000, 'the duplicate logged');
  } finally {
    await c.stop();
  }
});

it('runs a retained command exactly once, clears it, and does not rerun it after a reconnect', async () => {
  const c = await startComponent();
  try {
    await cloud.nextMessage(TOPICS.commandOutput); // started
    expect(await command({ cmd: 'set_threshold_filter_confidence', value: 0.55 }, { retain: true })).toEqual({ confidence_threshold: 0.55 });
    await endpoint.waitForPublish((m) => m.topic === TOPICS.commandInput && m.retain && m.payload.length === 0);
    const subscriptions = () => endpoint.operations.filter((o) => o.operation === 'aws.greengrass#SubscribeToIoTCore' && o.request.topicName === TOPICS.commandInput).length;
    await endpoint.dropConnections();
    await waitFor(() => subscriptions() === 2, 10_000, 'the command subscription on a new connection');
    expect(await command({ cmd: 'get_threshold_filter_confidence' })).toEqual({ confidence_threshold: 0.55 });
    // The retained slot on the broker is empty: a new subscriber gets no retained command.
    const probe = await connectTestClient(iot.mosquitto.url);
    try {
      await probe.subscribe(TOPICS.commandInput);
      const delivered = await probe.nextMessage(TOPICS.commandInput, 500).catch(() => undefined);
      expect(delivered?.retain ?? false).toBe(false);
    } finally {
      await probe.close();
    }
  } finally {
    await c.stop();
  }
});

it('applies a configuration update live and rejects an invalid one, keeping the previous configuration', async () => {
  const c = await startComponent();
  try {
    await cloud.nextMessage(TOPICS.commandOutput); // started
    endpoint.updateConfiguration({ Parameters: { ...PARAMETERS, enable_threshold_limit: 'yes', default_threshold: 0.8 } });
    await waitFor(() => c.services.config.current.default_threshold === 0.8, 5000, 'the new threshold');
    expect(await command({ cmd: 'get_threshold_filter_config' })).toEqual({
      threshold_filter_config: { enabled: 'yes', confidence_threshold: 0.8, threshold_criteria: 'ge' },
    });
    expect(await c.services.inference.process(result(0.75))).toBe('filtered');
    expect(await c.services.inference.process(result(0.85))).toBe('queued');
    expect((await cloud.nextMessage(TOPICS.inferenceOutput)).json()).toMatchObject({ c: { go: 0.85 } });

    endpoint.updateConfiguration({ Parameters: { ...PARAMETERS, enable_threshold_limit: 'yes', default_threshold: 0.8, iotcore_qos: 5 } });
    await waitFor(() => c.logs.some((l) => l.includes('configuration update rejected')), 5000, 'the rejection');
    expect(c.logs.find((l) => l.includes('configuration update rejected'))).toContain('"key":"iotcore_qos"');
    expect(c.services.config.current.iotcore_qos).toBe(1);
    expect(await command({ cmd: 'get_threshold_filter_confidence' })).toEqual({ confidence_threshold: 0.8 });
  } finally {
    await c.stop();
  }
});

it('refuses and reports a publish outside the recipe policy', async () => {
  const c = await startComponent();
  try {
    const lines: string[] = [];
    const transport = createTransport(c.context);
    const publisher = new Publisher({ transport, logger: new Logger({ sink: { write: (l: string) => lines.push(l) } }), qos: () => 1 });
    expect(await publisher.publish('/edgeimpulse/device/other/secrets', { x: 1 })).toBe('failed');
    expect(publisher.counters).toEqual({ published: 0, failed: 1, oversized: 0 });
    expect(lines.join('')).toContain('outside this component');
  } finally {
    await c.stop();
  }
});

it('reads the Edge Impulse API key through IPC where the recipe allows it, and nowhere else', async () => {
  // The serial runner's policy has no SecretManager grant: least privilege, it needs no API key.
  const c = await startComponent();
  try {
    const source = new IpcSecretSource(c.context.greengrass!.connection);
    await expect(source.getSecretString('EI_API_KEY')).rejects.toMatchObject({ code: 'SECRET_ACCESS_DENIED' });
  } finally {
    await c.stop();
  }
  const runnerEndpoint = await IpcEndpoint.start({
    componentName: COMPONENTS['linux-runner'].componentName,
    policy: componentAccessControl('linux-runner') as never,
    secrets: { EI_API_KEY: JSON.stringify({ ei_api_key: 'ei_0123456789abcdef' }) },
  });
  const lines: string[] = [];
  const logger = new Logger({ sink: { write: (l: string) => lines.push(l) } });
  const connection = new IpcConnection({ socketPath: runnerEndpoint.env.AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT, authToken: runnerEndpoint.env.SVCUID, logger });
  try {
    await connection.connect();
    const key = await readApiKey(new IpcSecretSource(connection), { secretId: 'EI_API_KEY', jsonKey: 'ei_api_key' }, logger.secrets);
    expect(key).toBe('ei_0123456789abcdef');
    logger.info('key is ei_0123456789abcdef');
    expect(lines.join('')).toContain('key is [REDACTED]');
  } finally {
    await connection.close();
    await runnerEndpoint.close();
  }
});

it('a start that cannot succeed reports ERRORED and exits non-zero', async () => {
  endpoint.updateConfiguration({ Parameters: { ...PARAMETERS, iotcore_qos: 'seven' } });
  const errors: string[] = [];
  const code = await runComponentCli(KIND, [], async () => 0, { stdout: { write: () => true }, stderr: { write: (l: string) => errors.push(l) }, env: { ...endpoint.env } });
  expect(code).toBe(1);
  expect(errors.join('')).toContain('iotcore_qos: must be 0 or 1 (got "seven")');
  await endpoint.waitForState('ERRORED');
});
