/**
 * End to end as under Greengrass: the component process talks IPC (the real wire protocol) to the testbench
 * endpoint, whose IoT Core is a real mosquitto broker; a broker client plays the cloud. The model is the
 * fixture .eim driven by the real LinuxImpulseRunner; S3 is moto. Payloads are checked field for field.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  COMPONENTS,
  componentAccessControl,
  deviceTopics,
  readDeviceIdentitySources,
  uniqueDeviceName,
} from '@ei-gg/core';
import {
  BLUE,
  ComponentProcess,
  DEMO_MODEL,
  demoModelEnv,
  GREEN,
  IpcEndpoint,
  MqttBrokerBridge,
  RED,
  WHITE,
  connectTestClient,
  solidImage,
  squaresImage,
  startMosquitto,
  startMoto,
  type DemoModelSpec,
  type Moto,
  type Mosquitto,
  type Payload,
  type TestMqttClient,
} from '@ei-gg/testbench';
import sharp from 'sharp';
import { runnerProcess } from '../support/runner-bundle';

const DEVICE = uniqueDeviceName('lr-ipc', readDeviceIdentitySources());
const TOPICS = deviceTopics(DEVICE);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let mosquitto: Mosquitto;
let bridge: MqttBrokerBridge;
let moto: Moto;
let cloud: TestMqttClient;
let endpoint: IpcEndpoint | undefined;
let runner: ComponentProcess | undefined;
let dir: string;

beforeAll(async () => {
  [mosquitto, moto] = await Promise.all([startMosquitto(), startMoto()]);
  bridge = await MqttBrokerBridge.connect(mosquitto.url);
});

afterAll(async () => {
  await bridge?.close();
  await Promise.all([mosquitto?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ei-gg-lr-ipc-'));
  cloud = await connectTestClient(mosquitto.url);
  await cloud.subscribe(`/edgeimpulse/device/${DEVICE}/#`, 1);
});

afterEach(async () => {
  await runner?.kill();
  runner = undefined;
  await endpoint?.close();
  endpoint = undefined;
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the component under the IPC endpoint with these Parameters, like a deployment would. */
async function deploy(
  spec: DemoModelSpec,
  parameters: Record<string, string | number>,
  thingName?: string,
): Promise<ComponentProcess> {
  endpoint = await IpcEndpoint.start({
    ...(thingName ? { thingName } : {}),
    componentName: COMPONENTS['linux-runner'].componentName,
    configuration: {
      Parameters: {
        device_name: 'lr-ipc',
        ei_local_model_file: DEMO_MODEL,
        iotcore_backoff: 0,
        metrics_sleeptime_ms: 0,
        lock_filename: path.join(dir, 'lock'),
        ei_shutdown_behavior: 'wait_for_restart',
        ...parameters,
      },
    },
    iotCore: bridge,
    policy: componentAccessControl('linux-runner'),
  });
  const aws = {
    AWS_ENDPOINT_URL_S3: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
  runner = runnerProcess([], { env: { ...endpoint.env, ...aws, ...demoModelEnv(spec) }, cwd: dir });
  await endpoint
    .waitForState('RUNNING', 20_000)
    .catch((err: Error) => Promise.reject(new Error(`${err.message}\n${runner!.logs()}`)));
  return runner;
}

async function inferences(count: number): Promise<Payload[]> {
  return (await cloud.collect(TOPICS.inferenceOutput, count, 15_000)).map((m) => m.json<Payload>());
}

async function command(body: object): Promise<Record<string, unknown>> {
  await cloud.publish(TOPICS.commandInput, body, { qos: 1 });
  for (;;) {
    const result = (await cloud.nextMessage(TOPICS.commandOutput, 15_000)).json<{ result: Record<string, unknown> }>()
      .result;
    if (result.status === undefined) return result; // skip started / input_ended notices
  }
}

/** Red, green and blue 48x48 images in `dir`/images (the runner squashes them to the model's 32x32 input). */
async function redGreenBlue(): Promise<string> {
  const images = path.join(dir, 'images');
  for (const [i, colour] of [RED, GREEN, BLUE].entries())
    await solidImage(path.join(images, `${i + 1}.png`), colour, 48);
  return images;
}

it('image classification: SPEC payloads with base64 model-input JPEG, QoS 1, unique ids; get_model_info', async () => {
  const images = await redGreenBlue();
  await deploy(
    { preset: 'image-classification' },
    { input: `images:${images}`, publish_inference_base64_image: 'yes' },
  );
  const payloads = await inferences(3);
  expect(payloads[0]).toEqual({
    time_ms: 3,
    inference_count: 3,
    total_inferences: 1,
    id: expect.stringMatching(UUID),
    ts: expect.any(Number),
    image: expect.any(String),
    c: { blue: 0, green: 0, red: 1 },
    anomaly: 0.5,
    time_splits: { DSP: 1, Classification: 1, Anomaly: 1, UOM: 'ms' },
    s3_bucket: 'unset',
    s3_prefix: 'unset',
  });
  expect(payloads.map((p) => p.c)).toEqual([
    { blue: 0, green: 0, red: 1 },
    { blue: 0, green: 1, red: 0 },
    { blue: 1, green: 0, red: 0 },
  ]);
  expect(payloads.map((p) => p.total_inferences)).toEqual([1, 2, 3]);
  expect(new Set(payloads.map((p) => p.id)).size).toBe(3);
  const image = await sharp(Buffer.from(payloads[2].image ?? '', 'base64')).metadata();
  expect({ format: image.format, width: image.width, height: image.height }).toEqual({
    format: 'jpeg',
    width: 32,
    height: 32,
  });
  expect((await endpoint!.waitForPublish(TOPICS.inferenceOutput)).qos).toBe(1);

  expect(await command({ cmd: 'get_model_info' })).toEqual({
    model_info: {
      model_name: 'fixture image-classification',
      model_version: 'v1',
      model_params: expect.objectContaining({
        image_input_width: 32,
        image_input_height: 32,
        labels: ['blue', 'green', 'red'],
        model_type: 'classification',
        sensor: 3,
        project_id: 4242,
      }),
    },
  });
  expect(await runner!.terminate()).toEqual({ code: 0, signal: null });
});

it('object detection with tracking: every box, derived from the image, with its object id', async () => {
  const image = await squaresImage(path.join(dir, 'images/squares.png'), 64, [
    { colour: RED, x: 8, y: 8, size: 16 },
    { colour: BLUE, x: 40, y: 32, size: 12 },
  ]);
  await deploy({ preset: 'object-detection' }, { input: `images:${path.dirname(image)}` });
  const [payload] = await inferences(1);
  expect(payload).toMatchObject({
    inference_count: 2,
    box: [
      { label: 'blue', value: 0.99, x: 40, y: 32, width: 12, height: 12, object_id: 2 },
      { label: 'red', value: 0.99, x: 8, y: 8, width: 16, height: 16, object_id: 1 },
    ],
  });
  expect(payload).not.toHaveProperty('c');
});

it('visual anomaly: the grid cells over the threshold, with mean and max', async () => {
  // A white 8x8 cell in the top-left corner of a black 32x32 image: one anomalous cell of sixteen.
  const image = await squaresImage(path.join(dir, 'images/spot.png'), 32, [{ colour: WHITE, x: 0, y: 0, size: 8 }]);
  await deploy({ preset: 'visual-anomaly' }, { input: `images:${path.dirname(image)}` });
  const [payload] = await inferences(1);
  expect(payload).toMatchObject({
    inference_count: 1,
    grid: [{ label: 'anomaly', value: 1, x: 0, y: 0, width: 8, height: 8 }],
    visual_anomaly_max: 1,
    visual_anomaly_mean: 0.0625,
    anomaly: 1,
  });
});

it('freeform output is published as its tensors', async () => {
  const image = await solidImage(path.join(dir, 'images/x.png'), { r: 255, g: 0, b: 255 }, 16);
  await deploy({ preset: 'freeform' }, { input: `images:${path.dirname(image)}` });
  const [payload] = await inferences(1);
  expect(payload).toMatchObject({ inference_count: 1, freeform: [[1, 0, 1]] });
});

it('honours backoff (1st, 4th, 7th after the filter) and QoS 0', async () => {
  const images = path.join(dir, 'images');
  for (let i = 1; i <= 7; i++) await solidImage(path.join(images, `${i}.png`), i % 2 ? RED : BLUE);
  await deploy({ preset: 'image-classification' }, { input: `images:${images}`, iotcore_backoff: 3, iotcore_qos: 0 });
  const payloads = await inferences(3);
  expect(payloads.map((p) => p.total_inferences)).toEqual([1, 4, 7]);
  expect((await endpoint!.waitForPublish(TOPICS.inferenceOutput)).qos).toBe(0);
  await expect(cloud.nextMessage(TOPICS.inferenceOutput, 500)).rejects.toThrow();
});

it('file cache: a payload and image pair per published inference, cleared by clear_cache_file and clear_cache', async () => {
  const images = path.join(dir, 'images');
  await solidImage(path.join(images, '1.png'), RED);
  await solidImage(path.join(images, '2.png'), GREEN);
  const cache = path.join(dir, 'cache');
  await deploy(
    { preset: 'image-classification' },
    { input: `images:${images}`, enable_cache_to_file: 'yes', cache_file_directory: cache },
  );
  const [first, second] = await inferences(2);
  await cloud.nextMessage(TOPICS.commandOutput); // started
  const files = () => readdirSync(cache).sort();
  await waitUntil(() => files().length === 4);
  expect(files()).toEqual([`${first.id}.img`, `${first.id}.json`, `${second.id}.img`, `${second.id}.json`].sort());
  expect(JSON.parse(readFileSync(path.join(cache, `${first.id}.json`), 'utf8'))).toEqual(first);
  expect((await sharp(readFileSync(path.join(cache, `${first.id}.img`))).metadata()).format).toBe('jpeg');

  expect(await command({ cmd: 'clear_cache_file', value: first.id })).toEqual({
    clear_cache_file: { local: 'OK', s3: 'OK', uuid: first.id },
  });
  expect(files()).toEqual([`${second.id}.img`, `${second.id}.json`]);
  expect(await command({ cmd: 'clear_cache' })).toEqual({ clear_cache: { local: 'OK', s3: 'OK' } });
  expect(files()).toEqual([]);
});

it('S3 cache (moto): the pair uploaded under <model>_v<version>/, the payload names it, clear_cache empties it', async () => {
  const s3 = new S3Client(moto.clientConfig);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'ei-gg-cache' }));
    const image = await solidImage(path.join(dir, 'images/x.png'), BLUE);
    await deploy(
      { preset: 'image-classification', deployVersion: 7 },
      { input: `images:${path.dirname(image)}`, enable_cache_to_s3: 'yes', s3_bucket: 'ei-gg-cache' },
    );
    const [payload] = await inferences(1);
    expect(payload).toMatchObject({ s3_bucket: 'ei-gg-cache', s3_prefix: 'fixture image-classification_v7/' });
    const keys = async () =>
      ((await s3.send(new ListObjectsV2Command({ Bucket: 'ei-gg-cache' }))).Contents ?? []).map((o) => o.Key).sort();
    await waitUntil(async () => (await keys()).length === 2);
    expect(await keys()).toEqual([
      `fixture image-classification_v7/${payload.id}.img`,
      `fixture image-classification_v7/${payload.id}.json`,
    ]);
    expect(await command({ cmd: 'clear_cache' })).toEqual({ clear_cache: { local: 'OK', s3: 'OK' } });
    expect(await keys()).toEqual([]);
  } finally {
    s3.destroy();
  }
});

async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; runner logs:\n${runner?.logs().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('triggered mode: classifies only when asked, one result per local request or infer command, with its id', async () => {
  const images = await redGreenBlue();
  await deploy(
    { preset: 'image-classification' },
    { input: `images-loop:${images}`, inference_mode: 'triggered', iotcore_backoff: 3 },
  );
  const requestTopic = `/edgeimpulse/device/${DEVICE}/inference/request`;
  await endpoint!.waitForOperation('aws.greengrass#SubscribeToTopic', (request) => request.topic === requestTopic);
  // The model is loaded and the input open, but nothing is classified unasked.
  await expect(cloud.nextMessage(TOPICS.inferenceOutput, 700)).rejects.toThrow();

  const withLogs = (err: Error) => Promise.reject(new Error(`${err.message}\n${runner!.logs()}`));
  endpoint!.publishToTopic(requestTopic, { id: 'part-1' }, 'com.example.Trigger');
  endpoint!.publishToTopic(requestTopic, { id: 'part-2' }, 'com.example.Trigger');
  // The infer command comes another way (through the broker): asked once the local requests are answered, so
  // that the order of the three is the test's, not a race between the two ways in.
  const answeredLocally = await inferences(2).catch(withLogs);
  expect(await command({ cmd: 'infer', id: 'cloud-3' })).toEqual({
    infer: 'queued',
    position: expect.any(Number),
    id: 'cloud-3',
  });
  const answers = [...answeredLocally, ...(await inferences(1).catch(withLogs))];
  // One image per request, in order, each answered despite iotcore_backoff 3.
  expect(answers.map((p) => [p.request_id, p.c])).toEqual([
    ['part-1', { blue: 0, green: 0, red: 1 }],
    ['part-2', { blue: 0, green: 1, red: 0 }],
    ['cloud-3', { blue: 1, green: 0, red: 0 }],
  ]);
  // The local answers for the actuation component, the same JSON as in the cloud.
  const local = await endpoint!.waitForOperation(
    'aws.greengrass#PublishToTopic',
    (r) => localMessage(r)?.request_id === 'part-2',
    15_000,
  );
  expect(localMessage(local.request)).toEqual(answers[1]);
  await expect(cloud.nextMessage(TOPICS.inferenceOutput, 500)).rejects.toThrow();
  expect(await runner!.terminate()).toEqual({ code: 0, signal: null });
});

it('device shadow: an operator switches the runner to triggered mode live, and the shadow reports it with the model version', async () => {
  const images = path.join(dir, 'images');
  await solidImage(path.join(images, '1.png'), RED, 48);
  await deploy(
    { preset: 'image-classification' },
    { input: `images-loop:${images}`, shadow_name: 'edgeimpulse-runner' },
    'core-7',
  );
  await inferences(2); // continuous
  const reported = () =>
    endpoint!.shadows.get('core-7', 'edgeimpulse-runner')?.state.reported as
      ({ inference_mode?: string; model?: { version?: string } } & Record<string, unknown>) | undefined;
  await waitUntil(() => reported()?.model?.version === 'v1');
  expect(reported()).toMatchObject({
    inference_mode: 'continuous',
    component: COMPONENTS['linux-runner'].componentName,
    model: { name: 'fixture image-classification', version: 'v1' },
  });

  endpoint!.shadows.setDesired('core-7', 'edgeimpulse-runner', { inference_mode: 'triggered' });
  await waitUntil(() => reported()?.inference_mode === 'triggered');
  // The pipeline restarted in triggered mode: results stop until one is asked for.
  const runningSince = () => [...runner!.logs().matchAll(/"ts":"([^"]+)","level":"info","msg":"running"/g)];
  await waitUntil(() => runningSince().length >= 2);
  const restartedAt = Date.parse(runningSince()[1][1]);
  expect(await command({ cmd: 'infer', id: 'op-1' })).toEqual({
    infer: 'queued',
    position: expect.any(Number),
    id: 'op-1',
  });
  // Results of the continuous pipeline may still be on their way, but none was made after the restart.
  for (;;) {
    const [payload] = await inferences(1);
    if (payload.request_id !== undefined) {
      expect(payload).toMatchObject({ request_id: 'op-1', c: { red: 1 } });
      break;
    }
    if ((payload.ts ?? Infinity) > restartedAt)
      throw new Error(`an unasked result after the restart in triggered mode: ${JSON.stringify(payload)}`);
  }
  expect(endpoint!.shadows.get('core-7', 'edgeimpulse-runner')?.state.delta).toBeUndefined();
});

/** The JSON message of a PublishToTopic request: what a local subscriber (the actuation component) gets. */
function localMessage(request: Record<string, unknown>): Payload | undefined {
  const publish = request.publishMessage as { jsonMessage?: { message?: Payload } } | undefined;
  return publish?.jsonMessage?.message;
}
