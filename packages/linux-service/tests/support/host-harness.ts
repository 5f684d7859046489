/**
 * The linux-service specs' shared set-up: the component's IPC endpoint (its recipe policy, the API key secret) and
 * the component run in-process as its bin would (the shared CLI front, host, IPC, state reports) with the stand-in
 * client, until `stop()`.
 */
import { join } from 'node:path';
import {
  COMPONENTS,
  componentAccessControl,
  deviceTopics,
  hostComponent,
  readDeviceIdentitySources,
  runComponentCli,
  uniqueDeviceName,
} from '@ei-gg/core';
import { IpcEndpoint, type IotCoreStandIn } from '@ei-gg/testbench';
import { linuxServiceComponent, type LinuxServiceOptions } from '../../src';

const KIND = 'linux-service';

/** The stand-in client (tests/fixtures): records or acts as its STAND_IN_* environment says. */
export const STAND_IN = join(__dirname, '..', 'fixtures', 'stand-in-client.js');

/** The unique device name and topics of `device_name` on this machine. */
export function deviceOf(deviceName: string) {
  const device = uniqueDeviceName(deviceName, readDeviceIdentitySources());
  return { device, topics: deviceTopics(device) };
}

/** The testbench nucleus endpoint of the component: its configuration, recipe policy and API key secret. */
export function startServiceEndpoint(options: {
  parameters: Record<string, unknown>;
  apiKey: string;
  iotCore?: IotCoreStandIn;
}): Promise<IpcEndpoint> {
  return IpcEndpoint.start({
    componentName: COMPONENTS[KIND].componentName,
    configuration: { Parameters: options.parameters },
    ...(options.iotCore ? { iotCore: options.iotCore.bridge } : {}),
    policy: componentAccessControl(KIND),
    secrets: { EI_API_KEY: JSON.stringify({ ei_api_key: options.apiKey }) },
  });
}

/**
 * Runs the component in-process with the stand-in client until `stop()`. `work` holds the client's home and stands
 * in for /dev (a `video0` there is a camera); `env` is added to the endpoint's environment (the stand-in's
 * settings, the nucleus).
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
  let release!: (reason: string) => void;
  const released = new Promise<string>((resolve) => (release = resolve));
  const exit = runComponentCli(
    KIND,
    [],
    (context) =>
      hostComponent(definition, context, { received: released, cancel: () => undefined }, { stopDeadlineMs: 2000 }),
    {
      stdout: { write: () => true },
      stderr: { write: (line: string) => logs.push(line) },
      env: { ...process.env, ...endpoint.env, ...env },
    },
  );
  return { logs, exit, stop: () => (release('test stop'), exit) };
}
