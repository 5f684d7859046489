import { COMPONENTS, type ComponentKind } from '../component-kind';
import { ConfigError, EiGgError, UsageError } from '../errors';
import type { ComponentConfigs } from '../config/parameters-schema';
import { readDeviceIdentitySources, uniqueDeviceName } from '../identity/device-name';
import { deviceTopics, type DeviceTopics } from '../identity/topics';
import { Logger } from '../logging/logger';
import { loadLocalConfiguration } from './load-local-configuration';
import { parseCliArgs, usage, type CliOptions } from './parse-cli-args';

export interface ComponentContext<K extends ComponentKind> {
  kind: K;
  options: CliOptions;
  config: ComponentConfigs[K];
  deviceName: string;
  topics: DeviceTopics;
  logger: Logger;
}

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * The one command-line front all three component bins share: flags, configuration, `--check-config`,
 * `--help`, logging set-up; then hands a validated context to the component's main. Returns the exit code.
 */
export async function runComponentCli<K extends ComponentKind>(
  kind: K,
  argv: string[],
  main: (context: ComponentContext<K>) => Promise<number>,
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const component = COMPONENTS[kind];
  let options: CliOptions;
  try {
    options = parseCliArgs(argv);
  } catch (err) {
    io.stderr.write(`${component.bin}: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (options.help) {
    io.stdout.write(usage(component.bin, component.description));
    return EXIT_OK;
  }
  const logger = new Logger({ level: options.logLevel ?? 'info', sink: io.stderr, fields: { component: component.componentName } });
  try {
    const { config, warnings } = loadLocalConfiguration(kind, options);
    const deviceName = uniqueDeviceName(config.device_name, readDeviceIdentitySources(io.env));
    const topics = deviceTopics(deviceName);
    if (options.checkConfig) {
      io.stdout.write(JSON.stringify({ component: component.componentName, deviceName, topics, parameters: config, warnings }, null, 2) + '\n');
      return EXIT_OK;
    }
    for (const warning of warnings) logger.warn(warning);
    return await main({ kind, options, config, deviceName, topics, logger });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${component.bin}: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`${component.bin}: ${err.message}\n`);
      return EXIT_USAGE;
    }
    logger.error('fatal error', { err: err instanceof EiGgError ? err : { message: String((err as Error)?.message ?? err) } });
    return EXIT_FAILURE;
  }
}
