/**
 * The serial-runner's amd64 artifact on an offline device (see support/offline-device.ts), from the generated
 * recipe, with the recipe runner playing the classic nucleus and then Nucleus Lite: install checks the deployed
 * configuration and edits group membership, run starts on the bundled runtime against an emulated board and
 * publishes through the IPC endpoint, whose policy is the recipe's accessControl. An invalid configuration fails
 * the install step, naming the problem, until the component is BROKEN: the deployment fails.
 */
import { COMPONENTS, LockFile } from '@ei-gg/core';
import { McuEmulator } from '@ei-gg/testbench';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InstallFailed } from '../src/recipe-runner/recipe-runner';
import { NUCLEI, OfflineDevice, THING } from './support/offline-device';

const NAME = COMPONENTS['serial-runner'].componentName;

describe.each(NUCLEI)('on the %s nucleus', (nucleus) => {
  let mcu: McuEmulator | undefined;
  let device: OfflineDevice;

  beforeAll(async () => {
    device = await OfflineDevice.start(NAME, {
      nucleus,
      configuration: async (scratch) => {
        mcu = await McuEmulator.start({ directory: scratch, intervalMs: 100 });
        return {
          Parameters: {
            device_name: 'offline',
            serial_port: mcu.devicePath,
            iotcore_backoff: 1,
            lock_filename: join(scratch, 'lock'),
          },
        };
      },
    });
  });

  afterAll(async () => {
    await device?.close();
    await mcu?.stop();
  });

  it('the steps see no network, no repository node_modules and no system node', () => device.expectIsolated());

  it('install checks the configuration, adds the component user to the configured groups that exist, and is idempotent', async () => {
    const first = await device.install(' (first run)');
    expect(first.attempts).toBe(1);
    expect(first.output).toContain(`${NAME}: configuration valid (device offline_${THING})`);
    expect(first.output).toContain(`added ${device.user} to dialout`);
    for (const group of ['video', 'audio', 'users', 'dialout']) expect(device.members(group)).toContain(device.user);

    // Its wall time is printed (install()), not asserted: speed is the benchmarks' business.
    const again = await device.install(' (again, nothing to do)');
    expect(again.output).not.toContain('added');
  });

  it('run starts the serial runner on the bundled Node: it reports RUNNING and publishes inferences through IPC', async () => {
    const { endpoint } = device.runner;
    const topics = device.topics('offline');
    await device.run(async () => {
      await endpoint.waitForState('RUNNING', 20_000);
      const started = await endpoint.waitForPublish(topics.commandOutput, 10_000);
      expect(JSON.parse(started.payload.toString())).toMatchObject({ result: { status: 'started' } });
      const inference = await endpoint.waitForPublish(topics.inferenceOutput, 15_000);
      expect(JSON.parse(inference.payload.toString())).toMatchObject({
        id: expect.any(String),
        total_inferences: expect.any(Number),
      });
    });
    expect(await device.runner.stop()).toEqual({ code: 0, signal: null });
  });

  if (nucleus === 'classic') {
    it('recover (the component with --recover) reads its configuration through IPC and removes the lock a dead instance left', async () => {
      const lockPath = LockFile.pathFor(join(device.scratch, 'lock'), `offline_${THING}`);
      writeFileSync(lockPath, `${spawnSync('true').pid}\n`); // a pid that has exited
      const recovery = await device.runner.recover();
      expect(recovery?.exit).toEqual({ code: 0, signal: null });
      expect(existsSync(lockPath)).toBe(false);
      expect(recovery?.output).toContain(
        `"msg":"removed stale lock file","component":"${NAME}","part":"recover","path":"${lockPath}"`,
      );
    });
  } else {
    it('has no recover step (Nucleus Lite has none)', async () => {
      expect(device.runner.manifest.steps.recover).toBeUndefined();
      expect(await device.runner.recover()).toBeUndefined();
    });
  }
});

describe.each(NUCLEI)('the deployment gate on the %s nucleus', (nucleus) => {
  let device: OfflineDevice;

  beforeAll(async () => {
    device = await OfflineDevice.start(NAME, {
      nucleus,
      configuration: () => ({ Parameters: { device_name: 'offline', iotcore_backoff: 'often', iotcore_qos: 2 } }),
    });
  });

  afterAll(() => device?.close());

  it('an invalid configuration fails install, naming each problem, until the component is BROKEN: the deployment fails', async () => {
    const broken = new Promise((resolve) => device.runner.once('broken', (_, step) => resolve(step)));
    const failure = await device.runner.install().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InstallFailed);
    const { attempts } = failure as InstallFailed;
    expect(attempts).toHaveLength(3); // the classic nucleus's third error, or systemd's third start
    for (const attempt of attempts) {
      expect(attempt.exit).toEqual({ code: 1, signal: null });
      expect(attempt.output).toContain('ei-gg-serial-runner: invalid configuration (2 problems):');
      expect(attempt.output).toContain('  - iotcore_backoff: must be an integer (got "often")');
      expect(attempt.output).toContain('  - iotcore_qos: must be 0 or 1 (got 2)');
      expect(attempt.output).toContain(
        "the deployment's configuration is invalid (above): install fails so that the deployment fails",
      );
    }
    expect(await broken).toBe('install');
    // Nothing was changed on the device: the group edits come after the check.
    expect(device.members('dialout')).not.toContain(device.user);
  });
});
