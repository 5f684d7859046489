/**
 * The linux-service's amd64 artifact on an offline device (see support/offline-device.ts): Install, then Run on
 * the bundled runtime. The component reads the API key through IPC, spawns the edge-impulse-linux client it
 * ships (app/node_modules/, with its preload) on the same runtime; offline the client cannot reach Studio and
 * exits, which the component reports as `exited` on command/output, with the client's own last lines: the
 * packaged client really ran.
 */
import { COMPONENTS } from '@ei-gg/core';
import { join } from 'node:path';
import { OfflineDevice } from './support/offline-device';

const API_KEY = 'ei_offline0key0123456789abcdef';

let device: OfflineDevice;

beforeAll(async () => {
  device = await OfflineDevice.start(COMPONENTS['linux-service'].componentName, {
    configuration: (scratch) => ({
      // videotestsrc stands in for a camera; without a microphone the client is told so.
      Parameters: {
        device_name: 'offline',
        gst_args: 'videotestsrc:!:jpegenc',
        eiparams: '--disable-microphone',
        sleep_time_sec: 1,
        lock_filename: join(scratch, 'lock'),
      },
    }),
    secrets: { EI_API_KEY: JSON.stringify({ ei_api_key: API_KEY }) },
  });
});

afterAll(() => device?.close());

it('the steps see no network, no repository node_modules and no system node', () => device.expectIsolated());

it('Install succeeds', async () => {
  await device.install();
});

it('Run supervises the packaged client on the bundled Node: it starts, exits offline, and is reported on command/output', async () => {
  const { endpoint } = device.runner;
  const topics = device.topics('offline');
  const result = async (status: string) => {
    const message = await endpoint.waitForPublish(
      (m) => m.topic === topics.commandOutput && m.payload.toString().includes(`"status":"${status}"`),
      20_000,
    );
    return (JSON.parse(message.payload.toString()) as { result: Record<string, unknown> }).result;
  };
  await device.run(async () => {
    await endpoint.waitForState('RUNNING', 20_000);
    expect(await result('started')).toMatchObject({ status: 'started' });
    const exited = await result('exited');
    expect(exited).toMatchObject({ status: 'exited', restart_in_ms: expect.any(Number) });
    // The client's banner (its version read from its package.json), then its failure to reach Studio.
    expect(exited.output).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Edge Impulse Linux client v\d+\.\d+\.\d+$/)]),
    );
    expect(exited.reason).toMatch(/^exited with code 1: Failed to authenticate with Edge Impulse/);
    expect(JSON.stringify(endpoint.published.map((m) => m.payload.toString()))).not.toContain(API_KEY);
  });
  expect(await device.runner.stop()).toEqual({ code: 0, signal: null });
});
