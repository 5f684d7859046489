import { join } from 'node:path';
import { ComponentHost, createTransport, runComponentCli } from '@ei-gg/core';
import type { IpcEndpoint } from '@ei-gg/testbench';
import { linuxServiceComponent, type LinuxServiceOptions } from '../../src';

/** The stand-in client (tests/fixtures): records or acts as its STAND_IN_* environment says. */
export const STAND_IN = join(__dirname, '..', 'fixtures', 'stand-in-client.js');

/**
 * Runs the component in-process as its bin would (the shared CLI front, host, IPC to `endpoint`, state reports)
 * with the stand-in client, until `stop()`. `work` holds the client's home and stands in for /dev (a `video0`
 * there is a camera); `env` is added to the endpoint's environment (the stand-in's settings, the nucleus).
 */
export async function startLinuxService(
  endpoint: IpcEndpoint,
  work: string,
  env: Record<string, string>,
  options: LinuxServiceOptions = {},
) {
  const logs: string[] = [];
  const definition = linuxServiceComponent({
    clientEntry: STAND_IN,
    workDir: work,
    sensorPaths: { devDir: work, soundCards: join(work, 'no-cards') },
    ...options,
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const exit = runComponentCli(
    'linux-service',
    [],
    async (context) => {
      const host = new ComponentHost({
        context,
        transport: createTransport(context),
        createPipeline: (services) => definition.createPipeline(services),
        liveKeys: definition.liveKeys,
        reportState: (state) => context.greengrass!.runtime.updateState(state),
      });
      await host.start();
      await released;
      await host.stop(2000);
      return 0;
    },
    {
      stdout: { write: () => true },
      stderr: { write: (line: string) => logs.push(line) },
      env: { ...process.env, ...endpoint.env, ...env },
    },
  );
  return { logs, exit, stop: () => (release(), exit) };
}
