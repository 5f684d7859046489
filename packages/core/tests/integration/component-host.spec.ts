/**
 * The core seams end to end against real peers: a component hosted by the shared CLI front and ComponentHost
 * talks Greengrass IPC (the real wire protocol) to the testbench endpoint, whose IoT Core is a real mosquitto
 * broker; a broker client plays the cloud. The component's pipeline is a small test one that feeds results
 * on demand: everything it drives (filter, backoff, payload, publisher, commands, configuration) is real.
 */
import {
  IpcEndpoint,
  connectTestClient,
  startIotCore,
  waitFor,
  type IotCoreStandIn,
  type TestMqttClient,
} from '@ei-gg/testbench';
import { runComponentCli } from '../../src/cli/run-component-cli';
import { COMPONENTS } from '../../src/component-kind';
import { readDeviceIdentitySources, uniqueDeviceName } from '../../src/identity/device-name';
import { deviceTopics } from '../../src/identity/topics';
import type { ComponentPipeline, HostServices } from '../../src/lifecycle/component-host';
import { componentAccessControl } from '../../src/recipe/access-control';
import type { InferenceResult } from '../../src/results/inference-result';
import { IpcSecretSource } from '../../src/greengrass/greengrass-runtime';
import { IpcConnection } from '../../src/greengrass/ipc-connection';
import { readApiKey } from '../../src/secrets/api-key-secret';
import { Publisher } from '../../src/publisher/publisher';
import { createTransport } from '../../src/transport/create-transport';
import { Logger } from '../../src/logging/logger';
import { PRODUCT_VERSION } from '../../src/version';
import { IDLE_PIPELINE, startHosted } from '../support/host-harness';

const KIND = 'serial-runner' as const;
const NAME = COMPONENTS[KIND].componentName;
const DEVICE = uniqueDeviceName('hosttest', readDeviceIdentitySources());
const TOPICS = deviceTopics(DEVICE);
const PARAMETERS = {
  device_name: 'hosttest',
  iotcore_backoff: '1',
  metrics_sleeptime_ms: 0,
  lock_filename: '/tmp/ei_gg_hosttest_lock',
};

const result = (score: number): InferenceResult => ({
  classification: { go: score, stop: 1 - score },
  timing: { dspMs: 3, classificationMs: 2, anomalyMs: 0 },
});

let iot: IotCoreStandIn;
let endpoint: IpcEndpoint;
let cloud: TestMqttClient;

const TEST_PIPELINE: ComponentPipeline = {
  ...IDLE_PIPELINE,
  modelInfo: () => ({ model_name: 'm', model_version: 'v3', model_params: {} }),
};

/** Runs the component in-process through the real CLI front, until `stop()`. */
function startComponent(
  createPipeline: (services: HostServices<typeof KIND>) => ComponentPipeline = () => TEST_PIPELINE,
) {
  return startHosted(KIND, { createPipeline, env: { ...endpoint.env } });
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
    policy: componentAccessControl(KIND),
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
      result: {
        status: 'started',
        ts: expect.any(Number),
        id: expect.any(String),
        component: NAME,
        component_version: PRODUCT_VERSION,
        device: DEVICE,
        transport: 'ipc',
      },
    });
    await c.services.inference.process(result(0.75));
    const message = await cloud.nextMessage(TOPICS.inferenceOutput);
    expect(message.json()).toEqual({
      time_ms: 5,
      inference_count: 2,
      total_inferences: 1,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ts: expect.any(Number),
      c: { go: 0.75, stop: 0.25 },
      time_splits: { DSP: 3, Classification: 2, Anomaly: 0, UOM: 'ms' },
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
    const local = await endpoint.waitForOperation(
      'aws.greengrass#PublishToTopic',
      (request) => request.topic === TOPICS.inferenceOutput,
    );
    expect((local.request.publishMessage as { jsonMessage: { message: unknown } }).jsonMessage.message).toEqual(
      cloudPayload,
    );

    endpoint.updateConfiguration({ Parameters: { ...PARAMETERS, local_results_topic: 'factory/line3/results' } });
    await waitFor(
      () => c.services.config.current.local_results_topic === 'factory/line3/results',
      5000,
      'the new topic',
    );
    await c.services.inference.process(result(0.8));
    await cloud.nextMessage(TOPICS.inferenceOutput); // the cloud publish is unaffected by the refused local one
    await waitFor(
      () => c.logs.some((l) => l.includes('local results publish failed') && l.includes('factory/line3/results')),
      5000,
      'the refusal logged',
    );
    // Refused again for every result: still the one line (a summary with the count comes once a minute), and
    // get_status shows the fault while it lasts.
    for (const score of [0.81, 0.82, 0.83]) {
      await c.services.inference.process(result(score));
      await cloud.nextMessage(TOPICS.inferenceOutput);
    }
    let status: Record<string, unknown> = {};
    for (let attempt = 0; (status.local_results as { failures?: number } | undefined)?.failures !== 4; attempt++) {
      if (attempt === 50)
        throw new Error(`get_status never counted 4 refused local publishes: ${JSON.stringify(status)}`);
      status = (await command({ cmd: 'get_status' })).status as Record<string, unknown>;
    }
    expect(status.local_results).toMatchObject({ state: 'failing', code: expect.any(String), failures: 4 });
    expect(c.logs.filter((l) => l.includes('local results publish'))).toHaveLength(1);

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
      threshold_filter_config: { enabled: 'no', confidence_threshold: 0.7, threshold_criteria: 'ge' },
      id: 'q1',
    });
    expect(await command({ cmd: 'get_model_info' })).toEqual({
      model_info: { model_name: 'm', model_version: 'v3', model_params: {} },
    });
    expect(await command({ cmd: 'no_such_verb' })).toMatchObject({
      error: expect.stringMatching(/^unknown command "no_such_verb"/),
      cmd: 'no_such_verb',
    });
    await c.services.inference.process(result(0.75));
    await cloud.nextMessage(TOPICS.inferenceOutput);
    // Counted once the nucleus acknowledges the publish, which can come after the broker delivered it.
    await waitFor(() => c.services.metrics.health.counts.published === 1, 10_000, 'the publish acknowledged');
    expect(await command({ cmd: 'get_status' })).toEqual({
      status: {
        component: NAME,
        component_version: PRODUCT_VERSION,
        device: DEVICE,
        transport: 'ipc',
        model: { name: 'm', version: 'v3' },
        uptime_s: expect.any(Number),
        inferences: { seen: 1, filtered: 0, published: 1, failed: 0 },
        messages: { published: expect.any(Number), failed: 0, oversized: 0, dropped: 0 },
        inference_mode: 'continuous',
        // The unknown verb above: every error replied on command/output.
        last_error: { message: expect.stringContaining('unknown command'), ts: expect.any(Number) },
      },
    });
    // A problem replied on command/output stays visible to whoever asks later.
    await command({ cmd: 'set_threshold_filter_criteria', value: 'sideways' });
    expect(await command({ cmd: 'get_status' })).toMatchObject({
      status: { last_error: { message: expect.stringContaining('invalid criteria'), ts: expect.any(Number) } },
    });
  } finally {
    await c.stop();
  }
});

it('does not execute a repeated command id twice', async () => {
  const c = await startComponent();
  try {
    await cloud.nextMessage(TOPICS.commandOutput); // started
    expect(await command({ cmd: 'set_threshold_filter_confidence', value: 0.6, id: 'once' })).toEqual({
      confidence_threshold: 0.6,
      id: 'once',
    });
    await cloud.publish(
      TOPICS.commandInput,
      { cmd: 'set_threshold_filter_confidence', value: 0.9, id: 'once' },
      { qos: 1 },
    );
    expect(await command({ cmd: 'get_threshold_filter_confidence', id: 'after' })).toEqual({
      confidence_threshold: 0.6,
      id: 'after',
    });
    await waitFor(() => c.logs.some((l) => l.includes('command id already executed')), 5000, 'the duplicate logged');
  } finally {
    await c.stop();
  }
});

it('runs a retained command exactly once, clears it, and does not rerun it after a reconnect', async () => {
  const c = await startComponent();
  try {
    await cloud.nextMessage(TOPICS.commandOutput); // started
    expect(await command({ cmd: 'set_threshold_filter_confidence', value: 0.55 }, { retain: true })).toEqual({
      confidence_threshold: 0.55,
    });
    await endpoint.waitForPublish((m) => m.topic === TOPICS.commandInput && m.retain && m.payload.length === 0);
    const subscriptions = () =>
      endpoint.operations.filter(
        (o) => o.operation === 'aws.greengrass#SubscribeToIoTCore' && o.request.topicName === TOPICS.commandInput,
      ).length;
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
    endpoint.updateConfiguration({
      Parameters: { ...PARAMETERS, enable_threshold_limit: 'yes', default_threshold: 0.8 },
    });
    await waitFor(() => c.services.config.current.default_threshold === 0.8, 5000, 'the new threshold');
    expect(await command({ cmd: 'get_threshold_filter_config' })).toEqual({
      threshold_filter_config: { enabled: 'yes', confidence_threshold: 0.8, threshold_criteria: 'ge' },
    });
    expect(await c.services.inference.process(result(0.75))).toBe('filtered');
    expect(await c.services.inference.process(result(0.85))).toBe('queued');
    expect((await cloud.nextMessage(TOPICS.inferenceOutput)).json()).toMatchObject({ c: { go: 0.85 } });

    endpoint.updateConfiguration({
      Parameters: { ...PARAMETERS, enable_threshold_limit: 'yes', default_threshold: 0.8, iotcore_qos: 5 },
    });
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
    const publisher = new Publisher({
      transport,
      logger: new Logger({ sink: { write: (l: string) => lines.push(l) } }),
      qos: () => 1,
    });
    expect(await publisher.publish('/edgeimpulse/device/other/secrets', { x: 1 })).toBe('failed');
    expect(publisher.counters).toEqual({ published: 0, failed: 1, oversized: 0, dropped: 0 });
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
    policy: componentAccessControl('linux-runner'),
    secrets: { EI_API_KEY: JSON.stringify({ ei_api_key: 'ei_0123456789abcdef' }) },
  });
  const lines: string[] = [];
  const logger = new Logger({ sink: { write: (l: string) => lines.push(l) } });
  const connection = new IpcConnection({
    socketPath: runnerEndpoint.env.AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT,
    authToken: runnerEndpoint.env.SVCUID,
    logger,
  });
  try {
    await connection.connect();
    const key = await readApiKey(
      new IpcSecretSource(connection),
      { secretId: 'EI_API_KEY', jsonKey: 'ei_api_key' },
      logger.secrets,
    );
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
  const code = await runComponentCli(KIND, [], async () => 0, {
    stdout: { write: () => true },
    stderr: { write: (l: string) => errors.push(l) },
    env: { ...endpoint.env },
  });
  expect(code).toBe(1);
  expect(errors.join('')).toContain('iotcore_qos: must be 0 or 1 (got "seven")');
  await endpoint.waitForState('ERRORED');
});

/** A triggered pipeline like the runners': serves one request at a time, each when `gate` opens (or fails it at stop). */
function servingPipeline(gate: (stopped: AbortSignal) => Promise<void>) {
  return (services: HostServices<typeof KIND>): ComponentPipeline => {
    const stopped = new AbortController();
    let loop: Promise<void> | undefined;
    return {
      ...TEST_PIPELINE,
      start: async () => {
        loop = (async () => {
          for (
            let request = await services.requests.next(stopped.signal);
            request;
            request = await services.requests.next(stopped.signal)
          ) {
            await gate(stopped.signal);
            if (stopped.signal.aborted) return services.requests.fail(request, 'STOPPED', 'the pipeline stopped');
            await services.inference.process(result(0.9), undefined, request);
          }
        })();
      },
      stop: async () => (stopped.abort(), loop),
    };
  };
}

describe('triggered mode', () => {
  const REQUESTS = `/edgeimpulse/device/${DEVICE}/inference/request`;
  const localAnswers = (predicate: (message: Record<string, unknown>) => boolean) =>
    endpoint.waitForOperation('aws.greengrass#PublishToTopic', (request) =>
      predicate((request.publishMessage as { jsonMessage: { message: Record<string, unknown> } }).jsonMessage.message),
    );

  it('answers each local request with one result carrying its id, and refuses the overflow with errors', async () => {
    endpoint.updateConfiguration({
      Parameters: { ...PARAMETERS, inference_mode: 'triggered', inference_queue_limit: 2, iotcore_backoff: 5 },
    });
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const c = await startComponent(servingPipeline(() => opened));
    try {
      await endpoint.waitForOperation('aws.greengrass#SubscribeToTopic', (request) => request.topic === REQUESTS);
      // One is taken at once (the model is idle), two wait, two are refused.
      for (const id of ['r1', 'r2', 'r3', 'r4', 'r5']) endpoint.publishToTopic(REQUESTS, { id });
      for (const id of ['r4', 'r5']) {
        const refusal = await localAnswers((m) => m.request_id === id);
        expect((refusal.request.publishMessage as { jsonMessage: { message: unknown } }).jsonMessage.message).toEqual({
          error: 'inference queue full: 2 requests already waiting (inference_queue_limit); request refused',
          code: 'QUEUE_FULL',
          request_id: id,
          ts: expect.any(Number),
        });
      }
      expect(c.services.requests.waiting).toBe(2);
      open();
      const answered = [];
      for (let i = 0; i < 3; i++)
        answered.push((await cloud.nextMessage(TOPICS.inferenceOutput)).json<Record<string, unknown>>());
      // In order, one each, never thinned by iotcore_backoff (5).
      expect(answered.map((m) => m.request_id)).toEqual(['r1', 'r2', 'r3']);
      expect(answered[0]).toMatchObject({ c: { go: 0.9, stop: expect.any(Number) }, inference_count: 2 });
      await cloud.nextMessage(TOPICS.commandOutput); // started
      expect(await command({ cmd: 'get_status' })).toMatchObject({
        status: { inference_mode: 'triggered', requests_waiting: 0 },
      });
      for (const id of ['r1', 'r2', 'r3']) await localAnswers((m) => m.request_id === id && 'c' in m);
      expect(await cloud.nextMessage(TOPICS.inferenceOutput, 300).catch(() => 'none')).toBe('none');
    } finally {
      await c.stop();
    }
  });

  it('serves the infer command, answers malformed requests and requests in continuous mode with errors', async () => {
    endpoint.updateConfiguration({
      Parameters: {
        ...PARAMETERS,
        inference_mode: 'triggered',
        enable_threshold_limit: 'yes',
        default_threshold: 0.95,
      },
    });
    const c = await startComponent(servingPipeline(async () => undefined));
    try {
      await cloud.nextMessage(TOPICS.commandOutput); // started
      expect(await command({ cmd: 'infer', id: 'c1' })).toEqual({ infer: 'queued', position: 0, id: 'c1' });
      // Nothing passes the 0.95 threshold, yet the request is answered: an empty result.
      expect((await cloud.nextMessage(TOPICS.inferenceOutput)).json()).toEqual({
        time_ms: 5,
        inference_count: 0,
        total_inferences: 1,
        id: expect.any(String),
        ts: expect.any(Number),
        time_splits: { DSP: 3, Classification: 2, Anomaly: 0, UOM: 'ms' },
        request_id: 'c1',
      });
      expect(await command({ cmd: 'infer', value: 3, id: 'c2' })).toEqual({
        error: 'infer takes no value: send {"cmd":"infer","id":"<request id>"}',
        cmd: 'infer',
        id: 'c2',
      });

      await endpoint.waitForOperation('aws.greengrass#SubscribeToTopic', (request) => request.topic === REQUESTS);
      endpoint.publishToTopic(REQUESTS, Buffer.from('{"id":"b1","priority":9}'));
      const malformed = await localAnswers((m) => m.request_id === 'b1');
      expect(
        (malformed.request.publishMessage as { jsonMessage: { message: { error: string; code: string } } }).jsonMessage
          .message,
      ).toMatchObject({
        code: 'INVALID_REQUEST',
        error: expect.stringContaining('malformed inference request'),
      });
      endpoint.publishToTopic(REQUESTS, Buffer.from('not json'));
      await localAnswers((m) => m.code === 'INVALID_REQUEST' && String(m.error).includes('not valid JSON'));

      endpoint.updateConfiguration({ Parameters: { ...PARAMETERS, inference_mode: 'continuous' } });
      // A new mode restarts the pipeline.
      expect((await cloud.nextMessage(TOPICS.commandOutput)).json()).toMatchObject({ result: { status: 'started' } });
      expect(await command({ cmd: 'infer', id: 'c3' })).toEqual({
        error: 'inference_mode is continuous: set it to triggered to request inferences',
        code: 'NOT_TRIGGERED',
        cmd: 'infer',
        id: 'c3',
      });
    } finally {
      await c.stop();
    }
  });

  it('answers requests still waiting when the component stops', async () => {
    endpoint.updateConfiguration({
      Parameters: { ...PARAMETERS, inference_mode: 'triggered', local_results_topic: 'off' },
    });
    const c = await startComponent(
      servingPipeline((stopped) => new Promise((resolve) => stopped.addEventListener('abort', () => resolve()))),
    );
    await cloud.nextMessage(TOPICS.commandOutput); // started
    await endpoint.waitForOperation('aws.greengrass#SubscribeToTopic', (request) => request.topic === REQUESTS);
    endpoint.publishToTopic(REQUESTS, { id: 'busy' });
    endpoint.publishToTopic(REQUESTS, { id: 'w1' });
    await waitFor(() => c.services.requests.waiting === 1, 5000, 'a waiting request');
    const stopping = c.stop();
    // With local results off, a local request's error goes to the command output topic.
    const answers = [
      (await cloud.nextMessage(TOPICS.commandOutput)).json(),
      (await cloud.nextMessage(TOPICS.commandOutput)).json(),
    ];
    expect(answers).toEqual([
      { result: { error: 'the pipeline stopped', code: 'STOPPED', source: 'local', request_id: 'busy' } },
      {
        result: {
          error: 'the component stopped before this request was served',
          code: 'STOPPED',
          source: 'local',
          request_id: 'w1',
        },
      },
    ]);
    await stopping;
  });
});

describe('device shadow', () => {
  const THING = 'gg-core-7';
  const SHADOW = 'edgeimpulse-serial';
  const reported = () =>
    endpoint.shadows.get(THING, SHADOW)?.state.reported as
      ({ last_error?: { message?: string } } & Record<string, unknown>) | undefined;

  beforeEach(async () => {
    // The nucleus names the core device's thing in {iot:thingName} and in AWS_IOT_THING_NAME.
    await endpoint.close();
    endpoint = await IpcEndpoint.start({
      componentName: NAME,
      thingName: THING,
      configuration: { Parameters: { ...PARAMETERS, shadow_name: SHADOW } },
      iotCore: iot.bridge,
      policy: componentAccessControl(KIND),
    });
  });

  it('applies a desired threshold live and reports it with the versions; rejects invalid values without applying them', async () => {
    endpoint.shadows.setDesired(THING, SHADOW, { default_threshold: 0.85, enable_threshold_limit: true });
    const c = await startComponent();
    try {
      await cloud.nextMessage(TOPICS.commandOutput); // started
      // The desired state present at start is applied before the first result.
      await waitFor(
        () => reported()?.model !== null && reported()?.default_threshold === 0.85,
        5000,
        'the first report',
      );
      expect(reported()).toEqual({
        enable_threshold_limit: true,
        default_threshold: 0.85,
        threshold_criteria: 'ge',
        iotcore_backoff: 1,
        inference_mode: 'continuous',
        component: NAME,
        component_version: PRODUCT_VERSION,
        model: { name: 'm', version: 'v3' },
      });
      expect(endpoint.shadows.get(THING, SHADOW)?.state.delta).toBeUndefined();
      expect(await c.services.inference.process(result(0.8))).toBe('filtered');

      // The operator lowers it: applied live, no restart, and reported.
      endpoint.shadows.setDesired(THING, SHADOW, { default_threshold: 0.6 });
      await waitFor(() => reported()?.default_threshold === 0.6, 5000, 'the new threshold reported');
      expect(await c.services.inference.process(result(0.8))).toBe('queued');
      expect(await command({ cmd: 'get_threshold_filter_confidence' })).toMatchObject({ confidence_threshold: 0.6 });

      // Invalid values are reported back with the reason and change nothing; the valid one beside them applies.
      endpoint.shadows.setDesired(THING, SHADOW, {
        default_threshold: 500,
        threshold_criteria: 'lt',
        model_path: '/tmp/x.eim',
      });
      await waitFor(() => reported()?.rejected !== undefined, 5000, 'the rejection reported');
      expect(reported()).toMatchObject({
        default_threshold: 0.6,
        threshold_criteria: 'lt',
        rejected: {
          default_threshold: { value: 500, error: 'must be a number in (0, 1], or a percentage in (1, 100]' },
          model_path: {
            value: '/tmp/x.eim',
            error: expect.stringMatching(
              /^not settable through the shadow; settable keys: enable_threshold_limit, default_threshold/,
            ),
          },
        },
      });
      expect(c.services.config.current.default_threshold).toBe(0.6);

      // Removing the desired keys gives the deployment's values back, and clears the rejections.
      endpoint.shadows.setDesired(THING, SHADOW, null);
      await waitFor(
        () => reported()?.rejected === undefined && reported()?.threshold_criteria === 'ge',
        5000,
        'the deployment values back',
      );
      expect(reported()).toMatchObject({ enable_threshold_limit: false, default_threshold: 0.7 });
    } finally {
      await c.stop();
    }
  });

  it('reports the last error, and keeps running when the shadow is outside its policy', async () => {
    endpoint.updateConfiguration({ Parameters: { ...PARAMETERS, shadow_name: 'operator-settings' } });
    const c = await startComponent();
    try {
      await cloud.nextMessage(TOPICS.commandOutput); // started
      await waitFor(
        () => c.logs.some((l) => l.includes('cannot follow the device shadow')),
        5000,
        'the refusal logged',
      );
      expect(c.logs.find((l) => l.includes('cannot follow the device shadow'))).toMatch(
        /not authorized.*the recipes allow the edgeimpulse\* named shadows only/,
      );
      endpoint.updateConfiguration({ Parameters: { ...PARAMETERS, shadow_name: SHADOW } });
      await waitFor(() => reported() !== undefined, 5000, 'the shadow followed after the change');
      expect(reported()?.last_error).toMatchObject({
        message: expect.stringContaining('operator-settings'),
        ts: expect.any(Number),
      });
      expect(await command({ cmd: 'set_threshold_filter_criteria', value: 'sideways' })).toMatchObject({
        error: expect.stringContaining('invalid criteria'),
      });
      await waitFor(
        () => String(reported()?.last_error?.message).includes('invalid criteria'),
        5000,
        'the command error reported',
      );
    } finally {
      await c.stop();
    }
  });
});
