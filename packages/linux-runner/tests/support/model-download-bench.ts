import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  COMPONENTS,
  componentAccessControl,
  deviceTopics,
  readDeviceIdentitySources,
  uniqueDeviceName,
} from '@ei-gg/core';
import { IpcEndpoint, RED, solidImage, type ComponentProcess, type IpcEndpointOptions } from '@ei-gg/testbench';
import { runnerProcess } from './runner-bundle';
import { StudioStandIn } from './studio-stand-in';

/**
 * What a model-download test runs the component against: a work directory (its cwd, models and lock) with one
 * image to classify, the Studio stand-in answering to `apiKey`, and the component's Greengrass IPC endpoint
 * (the recipe's access control; `endpoint` adds the nucleus, region or secret). `deviceName` also names the
 * work directory.
 */
export class ModelDownloadBench {
  readonly topics: ReturnType<typeof deviceTopics>;
  runner: ComponentProcess | undefined;
  private since = 0;

  private constructor(
    readonly apiKey: string,
    readonly dir: string,
    readonly studio: StudioStandIn,
    readonly endpoint: IpcEndpoint,
    deviceName: string,
  ) {
    this.topics = deviceTopics(uniqueDeviceName(deviceName, readDeviceIdentitySources()));
  }

  static async start(
    deviceName: string,
    apiKey: string,
    endpoint: Partial<IpcEndpointOptions> = {},
  ): Promise<ModelDownloadBench> {
    const dir = mkdtempSync(path.join(os.tmpdir(), `ei-gg-${deviceName}-`));
    const studio = await StudioStandIn.start(apiKey);
    const images = path.join(dir, 'images');
    await solidImage(path.join(images, 'red.png'), RED);
    const ipc = await IpcEndpoint.start({
      componentName: COMPONENTS['linux-runner'].componentName,
      ...endpoint,
      configuration: {
        Parameters: {
          device_name: deviceName,
          input: `images:${images}`,
          iotcore_backoff: 0,
          metrics_sleeptime_ms: 0,
          lock_filename: path.join(dir, 'lock'),
          ei_shutdown_behavior: 'wait_for_restart',
        },
      },
      policy: componentAccessControl('linux-runner'),
    });
    return new ModelDownloadBench(apiKey, dir, studio, ipc, deviceName);
  }

  /** Starts the component under the endpoint, with Studio at the stand-in; `env` is added. */
  startRunner(env: Record<string, string> = {}): ComponentProcess {
    this.since = this.endpoint.published.length;
    this.runner = runnerProcess([], {
      env: { ...this.endpoint.env, EI_GG_STUDIO_URL: this.studio.url, ...env },
      cwd: this.dir,
    });
    return this.runner;
  }

  /**
   * Waits for the runner's input_ended on the command output, published after the `since`th message (default:
   * since the runner started); its logs are in the error when it does not come.
   */
  async inputEnded(timeoutMs: number, since = this.since): Promise<void> {
    const runner = this.runner!;
    const ended = (m: { topic: string; payload: Buffer }) =>
      m.topic === this.topics.commandOutput && m.payload.toString().includes('input_ended');
    await this.endpoint
      .waitForPublish((m) => this.endpoint.published.indexOf(m) >= since && ended(m), timeoutMs)
      .catch((err: Error) => {
        throw new Error(`${err.message}\n${runner.logs()}`);
      });
  }

  /**
   * The key is in no process's command line or environment; then SIGTERM ends the runner cleanly, and the key
   * is in no log line. Returns the logs.
   */
  async terminateKeepingKeySecret(): Promise<string> {
    const runner = this.runner!;
    for (const { command, environ } of runner.survivors()) {
      expect(command).not.toContain(this.apiKey);
      expect(environ).not.toContain(this.apiKey);
    }
    expect(await runner.terminate()).toEqual({ code: 0, signal: null });
    expect(runner.logs()).not.toContain(this.apiKey);
    return runner.logs();
  }

  async close(): Promise<void> {
    await this.runner?.kill();
    this.runner = undefined;
    await this.endpoint.close();
    await this.studio.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
