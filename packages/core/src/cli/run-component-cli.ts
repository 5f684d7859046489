import { COMPONENTS, type ComponentKind } from '../component-kind';
import { ConfigError, EiGgError, UsageError, type ConfigIssue } from '../errors';
import type { ComponentConfigs } from '../config/parameters-schema';
import { LiveConfiguration } from '../config/live-configuration';
import { GreengrassRuntime } from '../greengrass/greengrass-runtime';
import { IpcConnection } from '../greengrass/ipc-connection';
import { nucleusConfigurationWarnings, nucleusFromEnvironment } from '../greengrass/nucleus';
import { readDeviceIdentitySources, uniqueDeviceName } from '../identity/device-name';
import { deviceTopics, type DeviceTopics } from '../identity/topics';
import { LockFile } from '../lifecycle/lock-file';
import { recoverComponent, type RecoverStep } from '../lifecycle/recover-component';
import { Logger } from '../logging/logger';
import { selectTransport } from '../transport/select-transport';
import type { TransportName } from '../transport/transport';
import { loadLocalConfiguration } from './load-local-configuration';
import { parseCliArgs, usage, type CliOptions } from './parse-cli-args';

/** Everything a component's main needs, validated. */
export interface ComponentContext<K extends ComponentKind> {
  kind: K;
  options: CliOptions;
  config: LiveConfiguration<K>;
  deviceName: string;
  topics: DeviceTopics;
  logger: Logger;
  transportName: TransportName;
  /** Under Greengrass: the nucleus connection (shared by transport, configuration and secrets) and its services. */
  greengrass?: { connection: IpcConnection; runtime: GreengrassRuntime };
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream | { write(text: string): unknown };
}

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

/**
 * A component's own reading of its valid configuration, beyond the schema (linux-runner's `eiparams` flags):
 * `--check-config` prints it, the start logs its warnings and refuses its problems.
 */
export interface ConfigInterpretation {
  /** What the configuration becomes in the component (printed by `--check-config`). */
  effective: unknown;
  /** Logged once at start and listed by `--check-config`. */
  warnings: string[];
  /** The component does not start (ERRORED, non-zero exit); `--check-config` lists them and exits non-zero. */
  problems: ConfigIssue[];
  /** Keys shown otherwise than configured (a secret inside one redacted), in `--check-config`'s parameters. */
  shownParameters?: Record<string, unknown>;
}

/** What a component adds to the command-line front. */
export interface ComponentCliHooks<K extends ComponentKind> {
  /** The component's own clean-up in `--recover`, after the lock file's. */
  recover?: readonly RecoverStep[];
  interpret?: (config: ComponentConfigs[K]) => ConfigInterpretation;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * The one command-line front all three component bins share: flags, configuration (from the nucleus under
 * Greengrass, else `--config`/`--set`), `--check-config`, `--recover`, `--help`, logging; then hands a
 * validated context to the component's main. Returns the exit code. `hooks`: the component's `--recover` steps
 * and its reading of the configuration.
 */
export async function runComponentCli<K extends ComponentKind>(
  kind: K,
  argv: string[],
  main: (context: ComponentContext<K>) => Promise<number>,
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
  hooks: ComponentCliHooks<K> = {},
): Promise<number> {
  const component = COMPONENTS[kind];
  let options: CliOptions;
  let transportName: TransportName;
  try {
    options = parseCliArgs(argv);
    transportName = selectTransport({ choice: options.transport, env: io.env, mqtt: options.mqtt });
  } catch (err) {
    io.stderr.write(`${component.bin}: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (options.help) {
    io.stdout.write(usage(component.bin, component.description));
    return EXIT_OK;
  }
  const logger = new Logger({
    level: options.logLevel ?? 'info',
    sink: io.stderr,
    fields: { component: component.componentName },
  });
  let greengrass: ComponentContext<K>['greengrass'];
  try {
    if (transportName === 'ipc') {
      const connection = new IpcConnection({
        socketPath: io.env.AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT,
        authToken: io.env.SVCUID,
        logger: logger.child({ part: 'ipc' }),
      });
      const nucleus = nucleusFromEnvironment(io.env);
      greengrass = { connection, runtime: new GreengrassRuntime(connection, { logger, nucleus }) };
      await connection.connect();
    }
    const config = await loadConfiguration(kind, options, logger, greengrass?.runtime);
    const deviceName = uniqueDeviceName(config.current.device_name, readDeviceIdentitySources(io.env));
    const topics = deviceTopics(deviceName);
    // What the nucleus cannot honour (shadow_name on Lite) is refused here, in the check and in the log.
    // The install step's check runs without IPC: there the recipe's EI_GG_NUCLEUS says which nucleus it is.
    const nucleus = greengrass?.runtime.nucleus ?? nucleusFromEnvironment(io.env);
    const interpretation = hooks.interpret?.(config.current);
    const warnings = [
      ...config.warnings,
      ...nucleusConfigurationWarnings(config.current, nucleus),
      ...(interpretation?.warnings ?? []),
    ];
    const problems = interpretation?.problems ?? [];
    if (options.checkConfig) {
      const summary = {
        component: component.componentName,
        deviceName,
        topics,
        transport: transportName,
        parameters: { ...config.current, ...interpretation?.shownParameters },
        ...(interpretation ? { effective: interpretation.effective } : {}),
        warnings,
        ...(interpretation ? { problems: problems.map((p) => `${p.key}: ${p.message}`) } : {}),
      };
      io.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      await config.close();
      await greengrass?.connection.close();
      return problems.length > 0 ? EXIT_FAILURE : EXIT_OK;
    }
    if (options.recover) {
      // The configuration says where the lock is; no transport, no state report: the nucleus runs this beside the component.
      const lockPath = LockFile.pathFor(config.current.lock_filename, deviceName);
      await recoverComponent({ lockPath, logger, steps: hooks.recover ?? [] });
      await config.close();
      await greengrass?.connection.close();
      return EXIT_OK;
    }
    for (const warning of warnings) logger.warn(warning);
    if (problems.length > 0) throw new ConfigError(problems, { context: { component: component.componentName } });
    return await main({
      kind,
      options,
      config,
      deviceName,
      topics,
      logger,
      transportName,
      greengrass,
      env: io.env,
      stdout: io.stdout,
    });
  } catch (err) {
    // A failed Recover step must not report the component's state: the nucleus already handles its error.
    if (!options.recover) await greengrass?.runtime.updateState('ERRORED').catch(() => undefined);
    await greengrass?.connection.close().catch(() => undefined);
    if (err instanceof ConfigError || err instanceof UsageError) {
      io.stderr.write(`${component.bin}: ${err.message}\n`);
      return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
    }
    logger.error('fatal error', {
      err: err instanceof EiGgError ? err : { message: String((err as Error)?.message ?? err) },
    });
    return EXIT_FAILURE;
  }
}

/** From the nucleus when running under Greengrass without local overrides; else from `--config`/`--set`. */
async function loadConfiguration<K extends ComponentKind>(
  kind: K,
  options: CliOptions,
  logger: Logger,
  runtime: GreengrassRuntime | undefined,
): Promise<LiveConfiguration<K>> {
  if (runtime && !options.configFile && options.sets.length === 0)
    return LiveConfiguration.fromGreengrass(kind, runtime, logger);
  return LiveConfiguration.fixed(kind, loadLocalConfiguration(kind, options), logger);
}
