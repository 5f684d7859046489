/**
 * The amd64 artifact as a device gets it: unpacked into an empty root by the recipe runner, Install and Run
 * executed as the recipe says, with no network (own network namespace) and nothing of this machine's Node:
 * the repository's node_modules and the system node are hidden in the steps' mount namespace. The component
 * runs on the bundled runtime against an emulated board and publishes through the IPC endpoint, whose policy
 * is the recipe's accessControl.
 */
import { COMPONENTS } from '@ei-gg/core';
import { McuEmulator, requireTool } from '@ei-gg/testbench';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../src/cli/run-cli';
import { RecipeRunner } from '../src/recipe-runner/recipe-runner';
import { ARTIFACTS_DIR, packagedComponent } from './packaged-tree';

jest.setTimeout(60_000);

const SERIAL = COMPONENTS['serial-runner'];
const THING = 'ei-gg-offline-thing';
const systemNode = execFileSync('/bin/sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim();

let scratch: string;
let etc: string;
let mcu: McuEmulator;
let runner: RecipeRunner;

beforeAll(async () => {
  requireTool('unshare', 'util-linux');
  if (process.getuid?.() !== 0) throw new Error('this test cuts the network with unshare -n and mounts in a mount namespace: run it as root');
  scratch = mkdtempSync(join(tmpdir(), 'ei-gg-device-'));
  // A scratch /etc with the classic nucleus's user, so Install really edits group membership (in the copy).
  etc = join(scratch, 'etc');
  cpSync('/etc', etc, { recursive: true, verbatimSymlinks: true });
  appendFileSync(join(etc, 'passwd'), 'ggc_user:x:61000:61000::/nonexistent:/usr/sbin/nologin\n');
  appendFileSync(join(etc, 'group'), 'ggc_group:x:61000:\n');
  appendFileSync(join(etc, 'shadow'), 'ggc_user:!:19000::::::\n');
  mcu = await McuEmulator.start({ directory: scratch, intervalMs: 100 });
  runner = await RecipeRunner.prepare({
    recipePath: packagedComponent(SERIAL.componentName, '0.1.0').recipePath,
    artifactsDir: ARTIFACTS_DIR,
    rootDir: join(scratch, 'greengrass'),
    thingName: THING,
    configurationMerge: { Parameters: { device_name: 'offline', serial_port: mcu.devicePath, iotcore_backoff: 1, lock_filename: join(scratch, 'lock') } },
    sandbox: { isolateNetwork: true, hide: [join(REPOSITORY_ROOT, 'node_modules'), systemNode], bind: [{ source: etc, target: '/etc' }] },
  });
});

afterAll(async () => {
  await runner?.close();
  await mcu?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

it('the steps see no network, no repository node_modules and no system node', async () => {
  const interfaces = await runner.exec('tail -n +3 /proc/net/dev | cut -d: -f1');
  expect(interfaces.output.split('\n').map((name) => name.trim()).filter(Boolean)).toEqual(['lo']);
  expect((await runner.exec(`ls -A ${REPOSITORY_ROOT}/node_modules`)).output).toBe('');
  expect((await runner.exec(`${systemNode} --version`)).exit.code).not.toBe(0);
});

it('Install adds ggc_user to the configured groups that exist, quickly, and is idempotent', async () => {
  const first = await runner.install();
  process.stdout.write(`Install wall time: ${first.wallMs} ms (first run)\n`);
  expect(first.output).toContain('added ggc_user to dialout');
  const members = (group: string) => readFileSync(join(etc, 'group'), 'utf8').split('\n').find((line) => line.startsWith(`${group}:`))?.split(':')[3].split(',');
  for (const group of ['video', 'audio', 'users', 'dialout']) expect(members(group)).toContain('ggc_user');

  const again = await runner.install();
  process.stdout.write(`Install wall time: ${again.wallMs} ms (again, nothing to do)\n`);
  expect(again.output).not.toContain('added');
  expect(again.wallMs).toBeLessThan(5000);
});

it('Run starts the serial runner on the bundled Node: it reports RUNNING and publishes inferences through IPC', async () => {
  const run = await runner.start();
  const device = `offline_${THING}`; // no MAC in a network namespace without interfaces: the thing name is the suffix
  try {
    await runner.endpoint.waitForState('RUNNING', 20_000);
    const started = await runner.endpoint.waitForPublish(`/edgeimpulse/device/${device}/command/output`, 10_000);
    expect(JSON.parse(started.payload.toString())).toMatchObject({ result: { status: 'started' } });
    const inference = await runner.endpoint.waitForPublish(`/edgeimpulse/device/${device}/inference/output`, 15_000);
    expect(JSON.parse(inference.payload.toString())).toMatchObject({ id: expect.any(String), total_inferences: expect.any(Number) });
  } catch (error) {
    throw new Error(`${(error as Error).message}\ncomponent output:\n${run.output}`);
  }
  expect(await runner.stop()).toEqual({ code: 0, signal: null });
});
