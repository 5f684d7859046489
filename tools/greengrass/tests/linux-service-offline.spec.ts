/**
 * The linux-service's amd64 artifact on an offline device (see support/offline-device.ts), from the generated
 * recipe: install, then run on the bundled runtime. On the classic nucleus the component reads the API key
 * through IPC, spawns the edge-impulse-linux client it ships (app/node_modules/, with its preload) on the same
 * runtime; offline the client cannot reach Studio and exits, which the component reports as `exited` on
 * command/output, with the client's own last lines: the packaged client really ran. Nucleus Lite has no
 * GetSecretValue: the component goes to Secrets Manager with the token exchange service's credentials, which
 * offline is a fatal start error: it exits non-zero at once, and systemd's restart limit makes it BROKEN.
 */
import { COMPONENTS } from '@ei-gg/core';
import { join } from 'node:path';
import { NUCLEI, OfflineDevice } from './support/offline-device';

const API_KEY = 'ei_offline0key0123456789abcdef';

describe.each(NUCLEI)('on the %s nucleus', (nucleus) => {
  let device: OfflineDevice;

  beforeAll(async () => {
    device = await OfflineDevice.start(COMPONENTS['linux-service'].componentName, {
      nucleus,
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

  it('install checks the configuration and succeeds', async () => {
    expect((await device.install()).output).toContain('EdgeImpulseLinuxServiceComponent: configuration valid');
  });

  if (nucleus === 'classic') {
    it('run reads the API key through IPC (SecretManager), supervises the packaged client on the bundled Node: it starts, exits offline, and is reported on command/output', async () => {
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
  } else {
    it('run reads the API key from Secrets Manager with the token exchange service, not over IPC; offline that fatal start error exits non-zero, systemd starts it twice more, then BROKEN', async () => {
      const { endpoint } = device.runner;
      const events: string[] = [];
      for (const event of ['errored', 'recovered', 'restarted', 'broken'] as const)
        device.runner.on(event, () => events.push(event));
      const broken = new Promise((resolve) => device.runner.once('broken', (exit, step) => resolve({ exit, step })));
      const run = await device.runner.start();
      expect(await broken).toEqual({ exit: { code: 1, signal: null }, step: 'run' });
      expect(events).toEqual(['errored', 'restarted', 'errored', 'restarted', 'broken']);
      expect(run.output).toContain(
        '"code":"SECRET_UNAVAILABLE","message":"reading secret \\"EI_API_KEY\\" from Secrets Manager failed',
      );
      expect(endpoint.operations.map((o) => o.operation)).not.toContain('aws.greengrass#GetSecretValue');
      expect(endpoint.states).not.toContain('RUNNING');
    });
  }
});
