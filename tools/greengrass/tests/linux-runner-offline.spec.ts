/**
 * The linux-runner's amd64 artifact on an offline device (see support/offline-device.ts), from the generated
 * recipe, on the classic nucleus and on Nucleus Lite: install, then run on the bundled runtime with
 * linux-runner's demo model over an `images:` directory, publishing every inference through the IPC endpoint
 * under the recipe's policy. The artifact's own sharp (@img/*, decoding the images) and koffi (the model's shared
 * memory) do the work. Then a crash: SIGKILL leaves the lock and the model socket behind; the classic nucleus
 * runs the recipe's recover step, which removes them, and starts run again; Nucleus Lite (systemd) starts run
 * again without a recover step, and the new instance takes the dead one's lock over.
 */
import { COMPONENTS, LockFile, type ProcessExit } from '@ei-gg/core';
import { once } from 'node:events';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SAMPLE_IMAGES, writeSampleImages } from '@ei-gg/testbench';
import type { RecoverResult } from '../src/recipe-runner/recipe-runner';
import { writeDemoModelExecutable } from './support/demo-model';
import { NUCLEI, OfflineDevice, THING } from './support/offline-device';

describe.each(NUCLEI)('on the %s nucleus', (nucleus) => {
  let device: OfflineDevice;

  beforeAll(async () => {
    device = await OfflineDevice.start(COMPONENTS['linux-runner'].componentName, {
      nucleus,
      configuration: async (scratch) => {
        const images = join(scratch, 'images');
        await writeSampleImages(images);
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

  /**
   * The lock file of the running instance, and `untilRun(n)`: waits until `n` runs more than when watchRuns()
   * was called have reported RUNNING and published every image.
   */
  function watchRuns() {
    const { endpoint } = device.runner;
    const topics = device.topics('offline');
    const count = () => ({
      running: endpoint.states.filter((state) => state === 'RUNNING').length,
      inferences: endpoint.published.filter((m) => m.topic === topics.inferenceOutput).length,
    });
    const before = count();
    const untilRun = (n: number, what: string) =>
      until(
        () =>
          count().running === before.running + n && count().inferences === before.inferences + n * SAMPLE_IMAGES.length,
        what,
      );
    return { lockPath: LockFile.pathFor(join(device.scratch, 'lock'), `offline_${THING}`), untilRun };
  }

  it('the steps see no network, no repository node_modules and no system node', () => device.expectIsolated());

  it('install checks the configuration and succeeds', async () => {
    expect((await device.install()).output).toContain('EdgeImpulseLinuxRunnerServiceComponent: configuration valid');
  });

  it('run classifies every image with the demo model on the bundled Node and publishes each result through IPC', async () => {
    const { endpoint } = device.runner;
    const topics = device.topics('offline');
    const inferences = () =>
      endpoint.published
        .filter((m) => m.topic === topics.inferenceOutput)
        .map((m) => JSON.parse(m.payload.toString()) as Record<string, unknown>);
    await device.run(async () => {
      await endpoint.waitForState('RUNNING', 20_000);
      await endpoint.waitForPublish(() => inferences().length === SAMPLE_IMAGES.length, 20_000);
      expect(inferences().map((p) => p.c)).toEqual(SAMPLE_IMAGES.map((image) => image.scores));
      expect(inferences().map((p) => p.total_inferences)).toEqual([1, 2, 3]);
    });
    expect(await device.runner.stop()).toEqual({ code: 0, signal: null });
  });

  if (nucleus === 'classic') {
    it('killed with SIGKILL, it leaves its lock and model socket behind; recover removes them and run starts again', async () => {
      const { lockPath, untilRun } = watchRuns();
      await device.run(async (run) => {
        await untilRun(1, 'RUNNING and every image');
        const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
        const socket = modelSocketOf(pid);
        // What the nucleus finds when Run has died, before Recover runs.
        const leftBehind = new Promise((resolve) => {
          device.runner.once('errored', (exit: ProcessExit) =>
            resolve({ exit, lock: readFileSync(lockPath, 'utf8'), socket: lstatSync(socket).isSocket() }),
          );
        });
        const recovered = once(device.runner, 'recovered') as Promise<[RecoverResult]>;
        const restarted = once(device.runner, 'restarted');
        run.signal('SIGKILL'); // the component and its model at once, as a cgroup kill (systemd's OOM policy) takes them
        expect(await leftBehind).toEqual({ exit: { code: null, signal: 'SIGKILL' }, lock: `${pid}\n`, socket: true });

        const [recovery] = await recovered;
        process.stdout.write(`${device.runner.recipe.ComponentName} Recover wall time: ${recovery.wallMs} ms\n`);
        expect(recovery.exit).toEqual({ code: 0, signal: null });
        const logged = recovery.output
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(logged).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ level: 'info', msg: 'removed stale lock file', path: lockPath, pid }),
            expect.objectContaining({ level: 'info', msg: 'removed model socket nothing listens on', path: socket }),
          ]),
        );
        expect([existsSync(lockPath), existsSync(dirname(socket))]).toEqual([false, false]);

        await restarted;
        await untilRun(2, 'RUNNING again and every image');
        expect(Number.parseInt(readFileSync(lockPath, 'utf8'), 10)).not.toBe(pid);
      });
      expect(await device.runner.stop()).toEqual({ code: 0, signal: null });
    });
  } else {
    it('killed with SIGKILL, systemd starts run again without a recover step; the new instance takes the stale lock over', async () => {
      const { lockPath, untilRun } = watchRuns();
      const events: string[] = [];
      for (const event of ['errored', 'recovered', 'restarted', 'broken'] as const)
        device.runner.on(event, () => events.push(event));
      await device.run(async (run) => {
        await untilRun(1, 'RUNNING and every image');
        const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
        const restarted = once(device.runner, 'restarted');
        run.signal('SIGKILL'); // not one of systemd's clean signals: Restart=on-failure starts it again
        await restarted;
        await untilRun(2, 'RUNNING again and every image');
        expect(Number.parseInt(readFileSync(lockPath, 'utf8'), 10)).not.toBe(pid);
      });
      expect(events).toEqual(['errored', 'restarted']);
      expect(await device.runner.stop()).toEqual({ code: 0, signal: null });
    });
  }
});

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The socket the component's model runs with: its child `<eim> <dir>/ei-gg-model-XXXXXX/model.sock`. */
function modelSocketOf(componentPid: number): string {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== componentPid) continue;
      const socket = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).at(-1);
      if (socket !== undefined && /\/ei-gg-model-[A-Za-z0-9]{6}\/model\.sock$/.test(socket)) return socket;
    } catch {
      // exited meanwhile
    }
  }
  throw new Error(`no model process under pid ${componentPid}`);
}
