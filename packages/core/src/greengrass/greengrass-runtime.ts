/**
 * The nucleus services a component uses besides messaging, over the same IPC connection as the transport:
 * its configuration (read, and told when a deployment changes it), its reported state, and the secrets the
 * aws.greengrass.SecretManager component holds.
 */
import { greengrasscoreipc } from 'aws-iot-device-sdk-v2';
import { TransportError } from '../errors';
import { Logger } from '../logging/logger';
import { NucleusUnsupportedError, SecretError } from '../errors';
import type { SecretSource } from '../secrets/secret-source';
import {
  describeIpcError,
  ipcErrorCode,
  ipcFailure,
  payloadBuffer,
  type IpcClient,
  type IpcConnection,
} from './ipc-connection';
import { isUnsupportedOperation, shadowUnsupportedReason, type NucleusKind } from './nucleus';

export type ReportedState = 'RUNNING' | 'ERRORED';

/** A local pub/sub message: a JSON message's object, or a binary message's bytes. */
export type LocalMessage = Record<string, unknown> | Buffer;

/** Which part of the configuration changed; read it again with getConfiguration(). */
export interface ConfigurationUpdate {
  componentName: string;
  keyPath: string[];
}

export interface GreengrassRuntimeOptions {
  logger?: Logger;
  /** The nucleus, when known (`EI_GG_NUCLEUS`); else what it answers tells. */
  nucleus?: NucleusKind;
}

export class GreengrassRuntime {
  private readonly logger: Logger;
  /** The nucleus as told at start; undefined when only its answers can tell. */
  readonly nucleus: NucleusKind | undefined;

  constructor(
    private readonly connection: IpcConnection,
    options: GreengrassRuntimeOptions = {},
  ) {
    this.logger = (options.logger ?? new Logger()).child({ component: 'greengrass-runtime' });
    this.nucleus = options.nucleus;
  }

  /** This component's configuration at `keyPath` (the whole tree for []). */
  async getConfiguration(keyPath: string[] = []): Promise<unknown> {
    try {
      const response = await this.connection.call('GetConfiguration', (client) => client.getConfiguration({ keyPath }));
      return response.value;
    } catch (error) {
      if (ipcErrorCode(error) === 'ResourceNotFoundError') {
        throw new TransportError(
          `configuration key path ${formatKeyPath(keyPath)} not found in this component's configuration`,
          {
            context: { transport: 'ipc', operation: 'GetConfiguration', keyPath },
            cause: error,
          },
        );
      }
      throw ipcFailure(`reading configuration ${formatKeyPath(keyPath)} failed`, error, {
        operation: 'GetConfiguration',
        keyPath,
      });
    }
  }

  /**
   * Calls `handler` whenever a deployment changes the configuration at or below `keyPath`, until the returned
   * function is called. Survives IPC reconnects (changes made during an outage are not replayed: re-read then).
   */
  async onConfigurationUpdate(
    keyPath: string[],
    handler: (update: ConfigurationUpdate) => void,
  ): Promise<() => Promise<void>> {
    const open = async (client: IpcClient) => {
      const operation = client.subscribeToConfigurationUpdate({ keyPath });
      operation.on('message', (event) => {
        if (!event.configurationUpdateEvent) return;
        const { componentName, keyPath: changed } = event.configurationUpdateEvent;
        try {
          handler({ componentName, keyPath: changed });
        } catch (error) {
          this.logger.error('configuration update handler failed', { keyPath: changed, error });
        }
      });
      operation.on('streamError', (error) =>
        this.logger.warn('configuration update stream error', { keyPath, error: error.message }),
      );
      await operation.activate();
      return operation;
    };
    try {
      const stream = await this.connection.openStream(`SubscribeToConfigurationUpdate ${formatKeyPath(keyPath)}`, open);
      return () => stream.close();
    } catch (error) {
      throw ipcFailure(`subscribing to configuration updates at ${formatKeyPath(keyPath)} failed`, error, {
        operation: 'SubscribeToConfigurationUpdate',
        keyPath,
      });
    }
  }

  /** Local pub/sub (PublishToTopic): other components on the device receive `message` as JSON. */
  async publishToTopic(topic: string, message: Record<string, unknown>): Promise<void> {
    try {
      await this.connection.call('PublishToTopic', (client) =>
        client.publishToTopic({ topic, publishMessage: { jsonMessage: { message } } }),
      );
    } catch (error) {
      throw ipcFailure(`local publish on ${topic} failed`, error, { operation: 'PublishToTopic', topic });
    }
  }

  /**
   * Local pub/sub (SubscribeToTopic): `handler` gets each message published by other components, a JSON
   * message as an object and a binary one as bytes, until the returned function is called. Survives reconnects.
   */
  async subscribeToTopic(
    topic: string,
    handler: (message: LocalMessage, topic: string) => void,
  ): Promise<() => Promise<void>> {
    const open = async (client: IpcClient) => {
      const operation = client.subscribeToTopic({
        topic,
        receiveMode: greengrasscoreipc.model.ReceiveMode.RECEIVE_MESSAGES_FROM_OTHERS,
      });
      operation.on('message', (event) => {
        const json = event.jsonMessage;
        const binary = event.binaryMessage;
        const message: LocalMessage | undefined =
          json?.message !== undefined
            ? (json.message as Record<string, unknown>)
            : binary?.message !== undefined
              ? payloadBuffer(binary.message)
              : undefined;
        if (message === undefined) return;
        try {
          handler(message, json?.context?.topic ?? binary?.context?.topic ?? topic);
        } catch (error) {
          this.logger.error('local message handler failed', { topic, error });
        }
      });
      operation.on('streamError', (error) =>
        this.logger.warn('local subscription stream error', { topic, error: error.message }),
      );
      await operation.activate();
      return operation;
    };
    try {
      const stream = await this.connection.openStream(`SubscribeToTopic ${topic}`, open);
      return () => stream.close();
    } catch (error) {
      throw ipcFailure(`subscribing to local topic ${topic} failed`, error, { operation: 'SubscribeToTopic', topic });
    }
  }

  /**
   * A named shadow's document from aws.greengrass.ShadowManager, or undefined when it does not exist yet.
   * Fails with NucleusUnsupportedError on Nucleus Lite, or when the nucleus has no shadow operations.
   */
  async getThingShadow(thingName: string, shadowName: string): Promise<Record<string, unknown> | undefined> {
    this.assertShadowOperations('GetThingShadow', shadowName);
    try {
      const response = await this.connection.call('GetThingShadow', (client) =>
        client.getThingShadow({ thingName, shadowName }),
      );
      return parseShadowDocument(payloadBuffer(response.payload));
    } catch (error) {
      if (ipcErrorCode(error) === 'ResourceNotFoundError') return undefined;
      if (isUnsupportedOperation(error)) throw shadowOperationsMissing('GetThingShadow', shadowName, error);
      throw ipcFailure(`reading shadow "${shadowName}" of ${thingName} failed`, error, {
        operation: 'GetThingShadow',
        thingName,
        shadowName,
      });
    }
  }

  /** Sends a shadow update request (`{"state":{"reported":{...}}}`); returns the accepted document. */
  async updateThingShadow(
    thingName: string,
    shadowName: string,
    request: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    this.assertShadowOperations('UpdateThingShadow', shadowName);
    try {
      const payload = Buffer.from(JSON.stringify(request));
      const response = await this.connection.call('UpdateThingShadow', (client) =>
        client.updateThingShadow({ thingName, shadowName, payload }),
      );
      return parseShadowDocument(payloadBuffer(response.payload));
    } catch (error) {
      if (isUnsupportedOperation(error)) throw shadowOperationsMissing('UpdateThingShadow', shadowName, error);
      throw ipcFailure(`updating shadow "${shadowName}" of ${thingName} failed`, error, {
        operation: 'UpdateThingShadow',
        thingName,
        shadowName,
      });
    }
  }

  /** On Lite, known from the start, no shadow operation is even tried. */
  private assertShadowOperations(operation: string, shadowName: string): void {
    const reason = shadowUnsupportedReason(this.nucleus);
    if (reason !== undefined) {
      throw new NucleusUnsupportedError(reason, { context: { operation, shadowName, nucleus: 'lite' } });
    }
  }

  /** Reports the component's state to the nucleus (ERRORED makes it restart the component). */
  async updateState(state: ReportedState): Promise<void> {
    const reported = greengrasscoreipc.model.ReportedLifecycleState[state];
    try {
      await this.connection.call('UpdateState', (client) => client.updateState({ state: reported }));
    } catch (error) {
      throw ipcFailure(`reporting state ${state} failed`, error, { operation: 'UpdateState', state });
    }
  }
}

/** Secrets from the aws.greengrass.SecretManager component (GetSecretValue over IPC). */
export class IpcSecretSource implements SecretSource {
  constructor(private readonly connection: IpcConnection) {}

  async getSecretString(secretId: string): Promise<string> {
    const context = { secretId };
    let response: greengrasscoreipc.model.GetSecretValueResponse;
    try {
      response = await this.connection.call('GetSecretValue', (client) => client.getSecretValue({ secretId }));
    } catch (error) {
      const code = ipcErrorCode(error);
      if (isUnsupportedOperation(error)) {
        throw new SecretError(
          'SECRET_UNSUPPORTED',
          'the Greengrass nucleus does not offer GetSecretValue (Greengrass Nucleus Lite has no ' +
            'aws.greengrass.SecretManager; on the Java nucleus it needs aws.greengrass.SecretManager deployed)',
          { context, cause: error },
        );
      }
      if (code === 'ResourceNotFoundError') {
        throw new SecretError(
          'SECRET_NOT_FOUND',
          `secret "${secretId}" (ei_sm_secret_id) not found by aws.greengrass.SecretManager: add it to that component's cloudSecrets and deploy`,
          { context, cause: error },
        );
      }
      if (code === 'UnauthorizedError') {
        throw new SecretError(
          'SECRET_ACCESS_DENIED',
          `access to secret "${secretId}" denied: the recipe's accessControl must allow aws.greengrass.SecretManager ` +
            `aws.greengrass#GetSecretValue on this secret's ARN`,
          { context, cause: error },
        );
      }
      throw new SecretError(
        'SECRET_UNAVAILABLE',
        `reading secret "${secretId}" over Greengrass IPC failed: ${describeIpcError(error)}`,
        {
          context,
          cause: error,
        },
      );
    }
    const { secretString, secretBinary } = response.secretValue ?? {};
    if (secretString !== undefined) return secretString;
    if (secretBinary !== undefined) return payloadBuffer(secretBinary).toString('utf8');
    throw new SecretError('SECRET_INVALID', `secret "${secretId}" has no value`, { context });
  }
}

/** The nucleus answered a shadow operation as one it does not have. */
function shadowOperationsMissing(operation: string, shadowName: string, cause: unknown): NucleusUnsupportedError {
  return new NucleusUnsupportedError(
    `the Greengrass nucleus does not offer ${operation}: it is Greengrass Nucleus Lite, which has no device shadow ` +
      'over IPC (shadow_name is refused there), or a Java nucleus without aws.greengrass.ShadowManager deployed',
    { context: { operation, shadowName }, cause },
  );
}

function parseShadowDocument(bytes: Buffer): Record<string, unknown> {
  if (!bytes.length) return {};
  const document = JSON.parse(bytes.toString('utf8')) as unknown;
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new TransportError('the shadow document is not a JSON object');
  return document as Record<string, unknown>;
}

function formatKeyPath(keyPath: string[]): string {
  return keyPath.length ? keyPath.join('/') : '(root)';
}
