import { deviceTopics, type DeviceTopics } from '@ei-gg/core';
import { requireTool, type SecretsOption } from '@ei-gg/testbench';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../../src/cli/run-cli';
import { localArchitecture, type Architecture } from '../../src/packaging/architectures';
import type { LifecycleProcess } from '../../src/recipe-runner/lifecycle-process';
import { RecipeRunner, type NucleusKind, type StepResult } from '../../src/recipe-runner/recipe-runner';
import { emulateAarch64 } from './aarch64-emulation';
import { ARTIFACTS_DIR, packagedComponent } from './packaged-tree';

export const THING = 'ei-gg-offline-thing';
export const NUCLEI: NucleusKind[] = ['classic', 'lite'];
/** The POSIX user each nucleus runs components as (and its installer creates). */
export const COMPONENT_USER: Record<NucleusKind, string> = { classic: 'ggc_user', lite: 'ggcore' };
const SYSTEM_NODE = execFileSync('/bin/sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim();

export interface OfflineDeviceSetup {
  /** The deployment's configuration merge; `scratch` is the device's scratch directory (lock files, inputs). */
  configuration(scratch: string): Promise<Record<string, unknown>> | Record<string, unknown>;
  secrets?: SecretsOption;
  /** The nucleus the recipe runner plays (default classic). */
  nucleus?: NucleusKind;
  /** The device's architecture, whose artifact is installed (default this machine's; aarch64 runs under qemu). */
  architecture?: Architecture;
}

/**
 * A component's packaged artifact as a device gets it (this machine's architecture, or aarch64 under qemu-user:
 * see aarch64-emulation.ts): unpacked by the recipe runner into an empty root, its steps run in a network
 * namespace with only a down `lo`, with the repository's node_modules and the system node hidden, and a scratch
 * copy of /etc (with the nucleus's component user: the classic nucleus's ggc_user, Nucleus Lite's ggcore) bound
 * over /etc so that install really edits group membership. Needs root and `unshare`: fails, never skips, without
 * them.
 */
export class OfflineDevice {
  private constructor(
    readonly scratch: string,
    readonly runner: RecipeRunner,
  ) {}

  static async start(componentName: string, setup: OfflineDeviceSetup): Promise<OfflineDevice> {
    requireTool('unshare', 'util-linux');
    if (process.getuid?.() !== 0)
      throw new Error(
        'the offline tests cut the network with unshare -n and mount in a mount namespace: run them as root',
      );
    const scratch = mkdtempSync(join(tmpdir(), 'ei-gg-device-'));
    try {
      const etc = join(scratch, 'etc');
      cpSync('/etc', etc, { recursive: true, verbatimSymlinks: true });
      const nucleus = setup.nucleus ?? 'classic';
      const user = COMPONENT_USER[nucleus];
      const group = nucleus === 'lite' ? 'ggcore' : 'ggc_group';
      appendFileSync(join(etc, 'passwd'), `${user}:x:61000:61000::/nonexistent:/usr/sbin/nologin\n`);
      appendFileSync(join(etc, 'group'), `${group}:x:61000:\n`);
      appendFileSync(join(etc, 'shadow'), `${user}:!:19000::::::\n`);
      const architecture = setup.architecture ?? localArchitecture();
      if (architecture === 'aarch64' && localArchitecture() !== 'aarch64') emulateAarch64(etc);
      const runner = await RecipeRunner.prepare({
        recipePath: packagedComponent(componentName).recipePath,
        artifactsDir: ARTIFACTS_DIR,
        rootDir: join(scratch, 'greengrass'),
        thingName: THING,
        nucleus,
        architecture,
        configurationMerge: await setup.configuration(scratch),
        ...(setup.secrets ? { secrets: setup.secrets } : {}),
        sandbox: {
          isolateNetwork: true,
          hide: [join(REPOSITORY_ROOT, 'node_modules'), SYSTEM_NODE],
          bind: [{ source: etc, target: '/etc' }],
        },
      });
      return new OfflineDevice(scratch, runner);
    } catch (error) {
      rmSync(scratch, { recursive: true, force: true });
      throw error;
    }
  }

  /** The POSIX user the nucleus runs the component as: ggc_user or ggcore. */
  get user(): string {
    return COMPONENT_USER[this.runner.nucleus];
  }

  /** The members of `group` in the scratch /etc. */
  members(group: string): string[] {
    const line = readFileSync(join(this.etc, 'group'), 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith(`${group}:`));
    return line?.split(':')[3]?.split(',').filter(Boolean) ?? [];
  }

  /** The scratch /etc the steps see as /etc. */
  get etc(): string {
    return join(this.scratch, 'etc');
  }

  /** The bundled Node.js runtime, as unpacked on the device. */
  get node(): string {
    return join(this.runner.unarchivedPath(), 'node', 'bin', 'node');
  }

  /** No MAC in a network namespace without interfaces: the unique device name is `<device_name>_<thing name>`. */
  topics(deviceName: string): DeviceTopics {
    return deviceTopics(`${deviceName}_${THING}`);
  }

  /** The steps see no network interface but `lo`, an empty repository node_modules and no system node. */
  async expectIsolated(): Promise<void> {
    const interfaces = await this.runner.exec('tail -n +3 /proc/net/dev | cut -d: -f1');
    expect(
      interfaces.output
        .split('\n')
        .map((name) => name.trim())
        .filter(Boolean),
    ).toEqual(['lo']);
    expect((await this.runner.exec(`ls -A ${REPOSITORY_ROOT}/node_modules`)).output).toBe('');
    expect((await this.runner.exec(`${SYSTEM_NODE} --version`)).exit.code).not.toBe(0);
  }

  /** Install, with its wall time printed (the issue asks for it). */
  async install(label = ''): Promise<StepResult> {
    const result = await this.runner.install();
    process.stdout.write(
      `${this.runner.recipe.ComponentName} install wall time (${this.runner.nucleus}): ${result.wallMs} ms${label}\n`,
    );
    return result;
  }

  /** Starts Run and checks it with `check`; a failure carries the component's output. */
  async run(check: (run: LifecycleProcess) => Promise<void>): Promise<void> {
    const run = await this.runner.start();
    try {
      await check(run);
    } catch (error) {
      throw new Error(`${(error as Error).message}\ncomponent output:\n${run.output}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.runner.close();
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
