import type { ComponentContext } from '../cli/run-component-cli';
import type { ComponentKind } from '../component-kind';
import { IpcTransport } from '../greengrass/ipc-transport';
import { Mqtt5Transport } from './mqtt5-transport';
import { StdoutTransport } from './stdout-transport';
import type { Transport } from './transport';

/**
 * The transport the CLI front selected: IPC on the nucleus connection, direct MQTT 5, or stdout/stdin.
 *
 * @example
 * ```ts
 * const transport = createTransport(context); // context from runComponentCli (`--transport`, Greengrass env)
 * await transport.connect();
 * ```
 */
export function createTransport<K extends ComponentKind>(context: ComponentContext<K>): Transport {
  const logger = context.logger.child({ part: 'transport' });
  switch (context.transportName) {
    case 'ipc':
      return new IpcTransport(context.greengrass!.connection, { logger });
    case 'mqtt': {
      const { url, cert, key, ca, clientId } = context.options.mqtt;
      return new Mqtt5Transport({ url: url!, cert, key, ca, clientId: clientId ?? context.deviceName, logger });
    }
    case 'stdout':
      return new StdoutTransport({ commandTopic: context.topics.commandInput, logger });
  }
}
