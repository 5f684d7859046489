import { TransportError } from '../errors';
import type { MqttOptions, TransportChoice } from '../cli/parse-cli-args';
import type { TransportName } from './transport';

const IPC_VARIABLES = ['AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT', 'SVCUID'] as const;

/**
 * `auto`: Greengrass IPC when the nucleus gave this process its socket and token, direct MQTT when an MQTT
 * URL is configured, stdout otherwise. An explicit `ipc` outside Greengrass is an error that says why.
 */
export function selectTransport(input: { choice: TransportChoice; env: NodeJS.ProcessEnv; mqtt: MqttOptions }): TransportName {
  const missing = IPC_VARIABLES.filter((name) => !input.env[name]);
  switch (input.choice) {
    case 'ipc':
      if (missing.length) {
        throw new TransportError(`--transport ipc needs ${missing.join(' and ')}: the component must run under Greengrass`, { context: { missing } });
      }
      return 'ipc';
    case 'mqtt':
    case 'stdout':
      return input.choice;
    case 'auto':
      if (missing.length === 0) return 'ipc';
      return input.mqtt.url ? 'mqtt' : 'stdout';
  }
}
