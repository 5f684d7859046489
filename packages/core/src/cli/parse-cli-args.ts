import { parseArgs } from 'node:util';
import { UsageError } from '../errors';
import { LOG_LEVELS, type LogLevel } from '../logging/logger';

export const TRANSPORT_CHOICES = ['auto', 'ipc', 'mqtt', 'stdout'] as const;
export type TransportChoice = (typeof TRANSPORT_CHOICES)[number];

export interface MqttOptions {
  url?: string;
  cert?: string;
  key?: string;
  ca?: string;
  clientId?: string;
}

export interface CliOptions {
  configFile?: string;
  /** `--set key=value`, in order; later ones win. */
  sets: Array<[string, string]>;
  transport: TransportChoice;
  mqtt: MqttOptions;
  logLevel?: LogLevel;
  help: boolean;
  checkConfig: boolean;
  /** `--recover`: the Greengrass Recover step (clean up after a crash, exit). Absent on a normal start. */
  recover?: boolean;
}

/** The same flags for every component (SPEC section 9); under Greengrass a bin runs with none. */
export function parseCliArgs(argv: string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        set: { type: 'string', multiple: true },
        transport: { type: 'string' },
        'mqtt-url': { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        ca: { type: 'string' },
        'client-id': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        'check-config': { type: 'boolean' },
        recover: { type: 'boolean' },
      },
    }));
  } catch (cause) {
    throw new UsageError(`${(cause as Error).message}; see --help`, { cause });
  }
  const sets = (values.set ?? []).map((pair): [string, string] => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${JSON.stringify(pair)}: expected key=value`);
    return [pair.slice(0, eq).trim(), pair.slice(eq + 1)];
  });
  const transport = (values.transport ?? 'auto') as TransportChoice;
  if (!TRANSPORT_CHOICES.includes(transport)) {
    throw new UsageError(
      `--transport ${JSON.stringify(values.transport)}: must be one of ${TRANSPORT_CHOICES.join(', ')}`,
    );
  }
  const logLevel = values['log-level'] as LogLevel | undefined;
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`--log-level ${JSON.stringify(logLevel)}: must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const mqtt: MqttOptions = {
    url: values['mqtt-url'],
    cert: values.cert,
    key: values.key,
    ca: values.ca,
    clientId: values['client-id'],
  };
  validateMqttOptions(transport, mqtt);
  if (values.recover && values['check-config']) throw new UsageError('--recover and --check-config exclude each other');
  return {
    configFile: values.config,
    sets,
    transport,
    mqtt,
    logLevel,
    help: values.help ?? false,
    checkConfig: values['check-config'] ?? false,
    ...(values.recover ? { recover: true } : {}),
  };
}

function validateMqttOptions(transport: TransportChoice, mqtt: MqttOptions): void {
  if (mqtt.url !== undefined && !/^mqtts?:\/\/[^/:]+(:\d+)?\/?$/.test(mqtt.url)) {
    throw new UsageError(`--mqtt-url ${JSON.stringify(mqtt.url)}: expected mqtt://host:port or mqtts://host:port`);
  }
  if (transport === 'mqtt' && !mqtt.url) throw new UsageError('--transport mqtt needs --mqtt-url');
  if (mqtt.url?.startsWith('mqtts://') && (!mqtt.cert || !mqtt.key)) {
    throw new UsageError('--mqtt-url mqtts://... needs --cert and --key (client certificate and private key files)');
  }
}

export function usage(bin: string, description: string): string {
  return `${bin}: ${description}

Usage: ${bin} [options]            (under Greengrass: no options; --recover in its Recover step)

  --config FILE            configuration JSON, {"Parameters":{...}} or flat
  --set key=value          override one configuration key (repeatable)
  --transport MODE         auto | ipc | mqtt | stdout (auto: IPC under Greengrass,
                           MQTT when --mqtt-url is given, stdout otherwise)
  --mqtt-url URL           mqtt://host:port or mqtts://host:port (mutual TLS)
  --cert FILE --key FILE   client certificate and key for mqtts://
  --ca FILE                CA bundle for mqtts:// (default: system CAs)
  --client-id ID           MQTT client id (default: the device name)
  --log-level LEVEL        ${LOG_LEVELS.join(' | ')} (default info; logs go to stderr)
  --check-config           validate, print the effective configuration as JSON, exit
  --recover                clean up after a crash (the Greengrass Recover step): a stale
                           lock file, leftover model sockets; reads the configuration, exit 0
  -h, --help               this text

Configuration keys: see the README's configuration table.
`;
}
