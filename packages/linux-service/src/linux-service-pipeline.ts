import {
  apiKeySecretSource,
  readApiKey,
  type ComponentPipeline,
  type HostServices,
  type LinuxServiceConfig,
  type ModelInfo,
} from '@ei-gg/core';
import { planClient } from './client/client-arguments';
import { bundledClientEntry, CLIENT_BOOTSTRAP, clientVersion } from './client/client-entry';
import { clientEnvironment } from './client/client-environment';
import { ClientHome } from './client/client-home';
import { clientExitedReply, clientRestartedReply } from './client-replies';
import { assertCameraFree } from './sensors/camera-conflict';
import { findSensors, type SensorPaths } from './sensors/find-sensors';
import {
  ClientKeeper,
  DEFAULT_SUPERVISOR_TIMINGS,
  type ClientLaunch,
  type ClientKeeperTimings,
} from './client/client-keeper';

export interface LinuxServiceOptions {
  /** The client's entry script, run with this Node.js (default: the bundled edge-impulse-linux client). */
  clientEntry?: string;
  /** Where cameras and sound cards are looked for (default /dev and /proc/asound/cards). */
  sensorPaths?: SensorPaths;
  /** The component's work directory (default: the current one, where Greengrass starts components). */
  workDir?: string;
  timings?: Partial<ClientKeeperTimings>;
}

/**
 * The linux-service's pipeline: checks the client can run (sensors, camera not held by linux-runner, API
 * key), then keeps the edge-impulse-linux client running (`ClientKeeper`: restarts with back-off, on core's
 * `SupervisedProcess`) and tells the cloud when it exits and restarts. `start()` resolving means the client process is up (the host then reports RUNNING);
 * reaching Studio is the client's business: failures there are exits, reported and restarted with back-off.
 */
export class LinuxServicePipeline implements ComponentPipeline {
  private readonly home: ClientHome;
  private readonly entry: string;
  private keeper: ClientKeeper | undefined;

  constructor(
    private readonly services: HostServices<'linux-service'>,
    private readonly options: LinuxServiceOptions = {},
  ) {
    this.home = new ClientHome(options.workDir ?? process.cwd());
    this.entry = options.clientEntry ?? bundledClientEntry();
  }

  private get log() {
    return this.services.context.logger.child({ part: 'client' });
  }

  async start(): Promise<void> {
    const { context, config } = this.services;
    const current = config.current;
    const plan = planClient(current.gst_args, current.eiparams, findSensors(this.options.sensorPaths));
    assertCameraFree(plan.cameraDevices, context.deviceName);
    const apiKey = await this.readKey(current);
    this.home.prepare();
    const launch: ClientLaunch = {
      command: process.execPath,
      args: ['--require', CLIENT_BOOTSTRAP, this.entry, ...plan.args],
      env: clientEnvironment(context.env, this.home, context.deviceName),
      cwd: this.home.path,
    };
    this.log.info('starting the Edge Impulse Linux client', {
      command: launch.command,
      args: launch.args,
      home: this.home.path,
    });
    this.keeper = new ClientKeeper(
      {
        prepare: () => {
          this.home.clean();
          this.home.writeKey(apiKey);
          return launch;
        },
        started: (start) => {
          this.log.info('client started', { ...start });
          if (start.restarts > 0) this.reply(clientRestartedReply(start));
        },
        exited: (exit) => {
          this.log.warn('client exited; restarting', { ...exit });
          this.reply(clientExitedReply(exit));
        },
        line: (stream, text) =>
          this.log[stream === 'stderr' ? 'warn' : 'info']('client output', { stream, line: text }),
        redact: (text) => context.logger.secrets.redact(text),
        restartCapMs: () => config.current.sleep_time_sec * 1000,
      },
      { ...DEFAULT_SUPERVISOR_TIMINGS, ...this.options.timings },
    );
    await this.keeper.start();
  }

  async stop(): Promise<void> {
    await this.keeper?.stop();
    this.keeper = undefined;
    this.home.clean();
  }

  /** What runs instead of a model: the client, its version and process. */
  modelInfo(): ModelInfo | undefined {
    if (!this.keeper) return undefined;
    const version = clientVersion(this.entry);
    return {
      model_name: 'edge-impulse-linux',
      model_version: version ? `v${version}` : 'unknown',
      model_params: {
        client_pid: this.keeper.pid ?? null,
        restarts: this.keeper.restartCount,
        device_name: this.services.context.deviceName,
      },
    };
  }

  /**
   * Under Greengrass through the nucleus (aws.greengrass.SecretManager); on Nucleus Lite, which has no
   * GetSecretValue, from Secrets Manager with the token exchange service's credentials; else from Secrets
   * Manager directly. The key stays in memory; the client gets it through a 0600 file it deletes.
   */
  private async readKey(config: LinuxServiceConfig): Promise<string> {
    const { context } = this.services;
    const source = apiKeySecretSource({ greengrass: context.greengrass, env: context.env, logger: context.logger });
    try {
      return await readApiKey(
        source,
        { secretId: config.ei_sm_secret_id, jsonKey: config.ei_sm_secret_name },
        context.logger.secrets,
      );
    } finally {
      source.close();
    }
  }

  private reply(reply: Parameters<HostServices<'linux-service'>['commands']['reply']>[0]): void {
    this.services.commands.reply(reply).catch((err) => this.log.warn('could not publish on command output', { err }));
  }
}
