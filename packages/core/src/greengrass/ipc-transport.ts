/**
 * The Transport over Greengrass IPC: PublishToIoTCore and SubscribeToIoTCore through the nucleus, which
 * owns the MQTT connection and its spooler. Subscriptions survive IPC reconnects (IpcConnection re-opens
 * them); a publish issued while disconnected waits for the reconnection, within the publish timeout.
 */
import { greengrasscoreipc } from 'aws-iot-device-sdk-v2';
import { TransportError } from '../errors';
import { Logger } from '../logging/logger';
import type {
  ConnectionState,
  MessageHandler,
  PublishOptions,
  Qos,
  Transport,
  Unsubscribe,
} from '../transport/transport';
import { ipcErrorCode, ipcFailure, payloadBuffer, type IpcClient, type IpcConnection } from './ipc-connection';

export interface IpcTransportOptions {
  /** Bound on a publish, waiting for a reconnection included; defaults to the connection's operation timeout. */
  publishTimeoutMs?: number;
  logger?: Logger;
}

const SDK_QOS: Record<Qos, greengrasscoreipc.model.QOS> = {
  0: greengrasscoreipc.model.QOS.AT_MOST_ONCE,
  1: greengrasscoreipc.model.QOS.AT_LEAST_ONCE,
};

export class IpcTransport implements Transport {
  readonly name = 'ipc';
  private readonly logger: Logger;

  /** The transport owns the connection: close() closes it, for every user of it. */
  constructor(
    readonly connection: IpcConnection,
    private readonly options: IpcTransportOptions = {},
  ) {
    this.logger = (options.logger ?? new Logger()).child({ transport: 'ipc' });
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  connect(): Promise<void> {
    return this.connection.connect();
  }

  async publish(topic: string, payload: Buffer | string, options: PublishOptions): Promise<void> {
    // The SDK base64-encodes a Buffer or a string (as UTF-8) itself.
    const request: greengrasscoreipc.model.PublishToIoTCoreRequest = {
      topicName: topic,
      qos: SDK_QOS[options.qos],
      payload,
    };
    // Sent only when set: nuclei before MQTT 5 support know no retain field.
    if (options.retain) request.retain = true;
    try {
      await this.connection.call(
        'PublishToIoTCore',
        (client) => client.publishToIoTCore(request),
        this.options.publishTimeoutMs,
      );
    } catch (error) {
      throw this.failure('PublishToIoTCore', topic, error);
    }
  }

  async subscribe(topicFilter: string, qos: Qos, onMessage: MessageHandler): Promise<Unsubscribe> {
    const open = (client: IpcClient) => this.openSubscription(client, topicFilter, qos, onMessage);
    try {
      const stream = await this.connection.openStream(`SubscribeToIoTCore ${topicFilter}`, open);
      return () => stream.close();
    } catch (error) {
      throw this.failure('SubscribeToIoTCore', topicFilter, error);
    }
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    return this.connection.onStateChange(listener);
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  private async openSubscription(client: IpcClient, topicFilter: string, qos: Qos, onMessage: MessageHandler) {
    const operation = client.subscribeToIoTCore({ topicName: topicFilter, qos: SDK_QOS[qos] });
    operation.on('message', (event) => {
      if (!event.message) return;
      const { topicName, payload, retain } = event.message;
      // Runs from an SDK emitter: a throwing handler must not become an uncaught exception.
      try {
        onMessage({ topic: topicName, payload: payloadBuffer(payload), retain: retain ?? false });
      } catch (error) {
        this.logger.error('message handler failed', { topic: topicName, error });
      }
    });
    operation.on('streamError', (error) =>
      this.logger.warn('IPC subscription stream error', { topicFilter, error: error.message }),
    );
    await operation.activate();
    return operation;
  }

  private failure(operation: string, topic: string, error: unknown): TransportError {
    if (ipcErrorCode(error) === 'UnauthorizedError') {
      return new TransportError(
        `${operation} on topic "${topic}" refused by the Greengrass nucleus: the topic is outside this component's accessControl policy ` +
          `(aws.greengrass.ipc.mqttproxy must allow aws.greengrass#${operation} on "${topic}")`,
        { context: { transport: 'ipc', operation, topic }, cause: error },
      );
    }
    return ipcFailure(`${operation} on topic "${topic}" failed`, error, { operation, topic });
  }
}
