/**
 * The serial-runner's amd64 artifact on an offline device (see support/offline-device.ts): Install edits
 * group membership, and Run starts on the bundled runtime against an emulated board and publishes through
 * the IPC endpoint, whose policy is the recipe's accessControl.
 */
import { COMPONENTS, LockFile } from '@ei-gg/core';
import { McuEmulator } from '@ei-gg/testbench';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OfflineDevice, THING } from './support/offline-device';

let mcu: McuEmulator | undefined;
let device: OfflineDevice;

beforeAll(async () => {
  device = await OfflineDevice.start(COMPONENTS['serial-runner'].componentName, {
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

it('Install adds ggc_user to the configured groups that exist, and is idempotent', async () => {
  const first = await device.install(' (first run)');
  expect(first.output).toContain('added ggc_user to dialout');
  const members = (group: string) =>
    readFileSync(join(device.etc, 'group'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith(`${group}:`))
      ?.split(':')[3]
      .split(',');
  for (const group of ['video', 'audio', 'users', 'dialout']) expect(members(group)).toContain('ggc_user');

  // Its wall time is printed (install()), not asserted: speed is the benchmarks' business.
  const again = await device.install(' (again, nothing to do)');
  expect(again.output).not.toContain('added');
});

it('Run starts the serial runner on the bundled Node: it reports RUNNING and publishes inferences through IPC', async () => {
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

it('Recover (the component with --recover) reads its configuration through IPC and removes the lock a dead instance left', async () => {
  const lockPath = LockFile.pathFor(join(device.scratch, 'lock'), `offline_${THING}`);
  writeFileSync(lockPath, `${spawnSync('true').pid}\n`); // a pid that has exited
  const recovery = await device.runner.recover();
  expect(recovery?.exit).toEqual({ code: 0, signal: null });
  expect(existsSync(lockPath)).toBe(false);
  expect(recovery?.output).toContain(
    `"msg":"removed stale lock file","component":"EdgeImpulseSerialRunnerServiceComponent","part":"recover","path":"${lockPath}"`,
  );
});
