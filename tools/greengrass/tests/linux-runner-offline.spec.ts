/**
 * The linux-runner's amd64 artifact on an offline device (see support/offline-device.ts): Install, then Run on
 * the bundled runtime with linux-runner's demo model over an `images:` directory, publishing every inference
 * through the IPC endpoint under the recipe's policy. The artifact's own sharp (@img/*, decoding the images)
 * and koffi (the model's shared memory) do the work.
 */
import { COMPONENTS } from '@ei-gg/core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeDemoModelExecutable } from './support/demo-model';
import { OfflineDevice } from './support/offline-device';

jest.setTimeout(60_000);

/** Solid colours: the demo model's image classification scores them red, green, blue exactly. */
const IMAGES = [
  { name: '1.png', background: { r: 255, g: 0, b: 0 }, scores: { blue: 0, green: 0, red: 1 } },
  { name: '2.png', background: { r: 0, g: 255, b: 0 }, scores: { blue: 0, green: 1, red: 0 } },
  { name: '3.png', background: { r: 0, g: 0, b: 255 }, scores: { blue: 1, green: 0, red: 0 } },
];

let device: OfflineDevice;

beforeAll(async () => {
  device = await OfflineDevice.start(COMPONENTS['linux-runner'].componentName, {
    configuration: async (scratch) => {
      const images = join(scratch, 'images');
      mkdirSync(images);
      for (const { name, background } of IMAGES) await sharp({ create: { width: 48, height: 48, channels: 3, background } }).png().toFile(join(images, name));
      const Parameters = {
        device_name: 'offline',
        ei_local_model_file: join(scratch, 'demo-model.eim'),
        input: `images:${images}`,
        iotcore_backoff: 0,
        lock_filename: join(scratch, 'lock'),
        ei_shutdown_behavior: 'wait_for_restart', // stay up after the last image, until stopped
      };
      return { Parameters };
    },
  });
  writeDemoModelExecutable(join(device.scratch, 'demo-model.eim'), device.node);
});

afterAll(() => device?.close());

it('the steps see no network, no repository node_modules and no system node', () => device.expectIsolated());

it('Install succeeds', async () => {
  await device.install();
});

it('Run classifies every image with the demo model on the bundled Node and publishes each result through IPC', async () => {
  const { endpoint } = device.runner;
  const topics = device.topics('offline');
  const inferences = () => endpoint.published.filter((m) => m.topic === topics.inferenceOutput).map((m) => JSON.parse(m.payload.toString()) as Record<string, unknown>);
  await device.run(async () => {
    await endpoint.waitForState('RUNNING', 20_000);
    await endpoint.waitForPublish(() => inferences().length === IMAGES.length, 20_000);
    expect(inferences().map((p) => p.c)).toEqual(IMAGES.map((image) => image.scores));
    expect(inferences().map((p) => p.total_inferences)).toEqual([1, 2, 3]);
  });
  expect(await device.runner.stop()).toEqual({ code: 0, signal: null });
});
