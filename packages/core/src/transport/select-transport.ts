import type { MqttOptions, TransportChoice } from '../cli/parse-cli-args';
import { TransportError } from '../errors';
import type { TransportName } from './transport';

/** The variables the Greengrass nucleus sets for a component it runs; IPC needs both. */
export const GREENGRASS_IPC_ENV_VARS = ['AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT', 'SVCUID'] as const;

export interface TransportSelection {
  choice: TransportChoice;
  env: NodeJS.ProcessEnv;
  mqtt: MqttOptions;
}

/**
 * Which transport to use: an explicit choice wins; `auto` means IPC under Greengrass, MQTT when a broker URL is
 * configured, stdout otherwise. Explicit IPC outside Greengrass fails here rather than at the first publish.
 */
export function selectTransport({ choice, env, mqtt }: TransportSelection): TransportName {
  const missing = GREENGRASS_IPC_ENV_VARS.filter((name) => !env[name]);
  if (choice === 'ipc' && missing.length > 0) {
    throw new TransportError(
      `transport "ipc" needs ${missing.join(' and ')} in the environment, which the Greengrass nucleus sets: ` +
        'the component must run under Greengrass (use --transport mqtt or stdout to run it elsewhere)',
      { context: { transport: 'ipc', missing } },
    );
  }
  if (choice !== 'auto') return choice;
  if (missing.length === 0) return 'ipc';
  return mqtt.url ? 'mqtt' : 'stdout';
}
