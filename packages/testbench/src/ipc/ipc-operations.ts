import { IpcService, type AccessPolicy } from './access-policy';
import type { ConfigurationStore } from './configuration-store';
import type { OperationStream } from './ipc-connection';
import { IpcError, type NucleusKind } from './ipc-error';
import type { IotCoreBridge, MqttQos } from './iot-core-bridge';
import type { LocalMessage, LocalPubSub, ReceiveMode } from './local-pub-sub';
import { isTopicFilter } from './mqtt-topic';
import type { SecretStore } from './secret-store';
import { ShadowRejection, shadowTopicPrefix, type ShadowOperation, type ShadowStore } from './shadow-store';

/** A PublishToIoTCore call that reached the IoT Core bridge. */
export interface PublishedMessage {
  topic: string;
  payload: Buffer;
  qos: MqttQos;
  retain: boolean;
}

/** What the operations act on: the one component this endpoint serves, and the nucleus services. */
export interface ComponentServices {
  componentName: string;
  /** The nucleus the endpoint plays: Lite lacks GetSecretValue and the shadow operations, and words errors its way. */
  nucleus: NucleusKind;
  /** Replaced when a configuration update changes the accessControl it comes from. */
  policy: AccessPolicy;
  configuration: ConfigurationStore;
  secrets: SecretStore;
  iotCore: IotCoreBridge;
  pubSub: LocalPubSub;
  shadows: ShadowStore;
  published(message: PublishedMessage): void;
  stateReported(state: string): void;
}

type Request = Record<string, unknown>;
type Handler = (services: ComponentServices, request: Request, stream: OperationStream) => Promise<object> | object;

/** ConfigStoreIPCEventStreamAgent (Java nucleus) says "Key not found", Lite's get_configuration.c "Key not found.". */
const KEY_NOT_FOUND: Record<NucleusKind, string> = { classic: 'Key not found', lite: 'Key not found.' };

/** Operations Nucleus Lite does not serve at all (ipc_dispatch.c has no SecretManager or ShadowManager service). */
const NOT_ON_LITE = new Set([
  'aws.greengrass#GetSecretValue',
  'aws.greengrass#GetThingShadow',
  'aws.greengrass#UpdateThingShadow',
  'aws.greengrass#DeleteThingShadow',
  'aws.greengrass#ListNamedShadowsForThing',
]);

const handlers: Record<string, Handler> = {
  // As MqttProxyIPCAgent: the topic is required, then authorized, then payload and QoS are read.
  'aws.greengrass#PublishToIoTCore': async (services, request) => {
    const topic = requiredString(request, 'topicName');
    authorizeMqtt(services, 'aws.greengrass#PublishToIoTCore', topic);
    const message: PublishedMessage = {
      topic,
      payload: Buffer.from(optionalString(request, 'payload') ?? '', 'base64'),
      qos: qos(request),
      retain: request.retain === true,
    };
    await services.iotCore.publish(message.topic, message.payload, message.qos, message.retain);
    services.published(message);
    return {};
  },

  'aws.greengrass#SubscribeToIoTCore': async (services, request, stream) => {
    const topicFilter = requiredString(request, 'topicName');
    authorizeMqtt(services, 'aws.greengrass#SubscribeToIoTCore', topicFilter);
    const requestedQos = qos(request);
    const unsubscribe = await services.iotCore.subscribe(topicFilter, requestedQos, (topicName, payload, retain) => {
      // MQTTMessage.retain is how the nucleus (2.12 and later) marks a retained message.
      const message = { topicName, payload: payload.toString('base64'), ...(retain ? { retain } : {}) };
      stream.send('aws.greengrass#IoTCoreMessage', { message });
    });
    stream.keepOpen(unsubscribe);
    return {};
  },

  'aws.greengrass#GetConfiguration': (services, request) => {
    const componentName = ownComponent(services, request);
    const value = services.configuration.get(keyPath(request), services.nucleus === 'lite' ? 'requested' : 'stored');
    if (value === undefined) throw keyNotFound(services);
    return { componentName, value };
  },

  'aws.greengrass#SubscribeToConfigurationUpdate': (services, request, stream) => {
    const componentName = ownComponent(services, request);
    const path = keyPath(request);
    if (!services.configuration.has(path)) throw keyNotFound(services);
    stream.keepOpen(
      services.configuration.watch(path, (changed) => {
        const configurationUpdateEvent = { componentName, keyPath: changed };
        stream.send('aws.greengrass#ConfigurationUpdateEvents', { configurationUpdateEvent });
      }),
    );
    return {};
  },

  'aws.greengrass#UpdateState': (services, request) => {
    services.stateReported(requiredString(request, 'state'));
    return {};
  },

  'aws.greengrass#GetSecretValue': (services, request) => {
    const secretId = requiredString(request, 'secretId');
    // The SecretManager resolves the id first, so an unknown secret is "not found" even when unauthorized.
    const arn = services.secrets.resolveArn(secretId);
    authorize(services, IpcService.SecretManager, 'aws.greengrass#GetSecretValue', arn);
    return services.secrets.get(
      secretId,
      optionalString(request, 'versionId'),
      optionalString(request, 'versionStage'),
    );
  },

  // As PubSubIPCEventStreamAgent: authorized first, only then is a wildcard in the topic refused.
  'aws.greengrass#PublishToTopic': (services, request) => {
    const topic = requiredString(request, 'topic');
    authorize(services, IpcService.PubSub, 'aws.greengrass#PublishToTopic', topic);
    if (isTopicFilter(topic) || topic.includes('*')) {
      throw new IpcError('InvalidArgumentsError', 'Publish topic must not contain a wildcard.');
    }
    services.pubSub.publish(topic, services.componentName, localMessage(request.publishMessage));
    return {};
  },

  'aws.greengrass#SubscribeToTopic': (services, request, stream) => {
    const topic = requiredString(request, 'topic');
    authorize(services, IpcService.PubSub, 'aws.greengrass#SubscribeToTopic', topic);
    const receiveMode = optionalString(request, 'receiveMode') as ReceiveMode | undefined;
    stream.keepOpen(
      services.pubSub.subscribe(topic, services.componentName, receiveMode, (published, message) => {
        const context = { topic: published };
        stream.send(
          'aws.greengrass#SubscriptionResponseMessage',
          'json' in message
            ? { jsonMessage: { message: message.json, context } }
            : { binaryMessage: { message: message.binary.toString('base64'), context } },
        );
      }),
    );
    return {};
  },

  // Responses carry only `payload` (base64 of the JSON document), like ShadowManager's.
  'aws.greengrass#GetThingShadow': (services, request) =>
    shadowOperation(services, request, 'get', (thingName, shadowName) => ({
      payload: jsonPayload(services.shadows.read(thingName, shadowName)),
    })),

  'aws.greengrass#UpdateThingShadow': (services, request) =>
    shadowOperation(services, request, 'update', (thingName, shadowName) => {
      const payload = Buffer.from(optionalString(request, 'payload') ?? '', 'base64');
      return { payload: jsonPayload(services.shadows.update(thingName, shadowName, payload)) };
    }),

  // A successful delete answers an empty payload.
  'aws.greengrass#DeleteThingShadow': (services, request) =>
    shadowOperation(services, request, 'delete', (thingName, shadowName) => {
      services.shadows.delete(thingName, shadowName);
      return { payload: '' };
    }),
};

const SHADOW_OPERATIONS: Record<ShadowOperation, string> = {
  get: 'aws.greengrass#GetThingShadow',
  update: 'aws.greengrass#UpdateThingShadow',
  delete: 'aws.greengrass#DeleteThingShadow',
};

/**
 * Runs one operation for the component; unknown operations fail with ServiceError instead of hanging. Lite
 * answers an operation it lacks (GetSecretValue, the shadow operations, anything else it has no handler for)
 * with its bare ServiceError, before looking at the request.
 */
export async function runOperation(
  services: ComponentServices,
  operation: string,
  request: unknown,
  stream: OperationStream,
): Promise<object> {
  const handler = handlers[operation];
  if (services.nucleus === 'lite' && (handler === undefined || NOT_ON_LITE.has(operation))) {
    throw IpcError.liteUnsupported();
  }
  if (handler === undefined) {
    throw new IpcError('ServiceError', `Operation ${operation} is not supported by the testbench IPC endpoint`);
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new IpcError('InvalidArgumentsError', 'Request must be a JSON object');
  }
  return handler(services, request as Request, stream);
}

/** Lite words every refusal the same way (ipc_authz.c callers); the Java nucleus names the principal and resource. */
const LITE_UNAUTHORIZED = 'IPC Operation not authorized.';

function authorize(services: ComponentServices, service: string, operation: string, resource: string): void {
  const denial = services.policy.denial(service, operation, resource);
  if (denial === undefined) return;
  throw new IpcError('UnauthorizedError', services.nucleus === 'lite' ? LITE_UNAUTHORIZED : denial);
}

/** MqttProxyIPCAgent logs the AuthorizationException and answers only "Not Authorized". */
function authorizeMqtt(services: ComponentServices, operation: string, topic: string): void {
  if (services.policy.allows(IpcService.MqttProxy, operation, topic)) return;
  throw new IpcError('UnauthorizedError', services.nucleus === 'lite' ? LITE_UNAUTHORIZED : 'Not Authorized');
}

function keyNotFound(services: ComponentServices): IpcError {
  return new IpcError('ResourceNotFoundError', KEY_NOT_FOUND[services.nucleus]);
}

/**
 * In ShadowManager's order: the names are checked, then the policy (resource: the shadow's topic prefix),
 * then the operation runs. Refusals are also published on `<prefix>/<operation>/rejected`.
 */
function shadowOperation(
  services: ComponentServices,
  request: Request,
  operation: ShadowOperation,
  run: (thingName: string, shadowName: string) => object,
): object {
  const thingName = optionalString(request, 'thingName') ?? '';
  const shadowName = optionalString(request, 'shadowName') ?? '';
  try {
    services.shadows.validate(operation, thingName, shadowName);
    const resource = shadowTopicPrefix(thingName, shadowName);
    const denial = services.policy.denial(IpcService.ShadowManager, SHADOW_OPERATIONS[operation], resource);
    if (denial !== undefined) {
      const refused = new ShadowRejection('UnauthorizedError', denial, { message: 'Unauthorized' });
      services.shadows.reject(operation, thingName, shadowName, refused);
      throw refused;
    }
    return run(thingName, shadowName);
  } catch (error) {
    if (!(error instanceof ShadowRejection)) throw error;
    throw new IpcError(
      error.errorCode,
      error.message,
      error.errorCode === 'ResourceNotFoundError' ? { resourceType: 'shadow' } : {},
    );
  }
}

function jsonPayload(document: object): string {
  return Buffer.from(JSON.stringify(document)).toString('base64');
}

/**
 * This endpoint serves one component; the nucleus answers "Key not found" for a component it lacks. The Java
 * nucleus finds services by name whatever the case (kernel.findServiceTopic) and answers with the name asked for.
 */
function ownComponent(services: ComponentServices, request: Request): string {
  const componentName = optionalString(request, 'componentName') ?? services.componentName;
  const same =
    services.nucleus === 'lite'
      ? componentName === services.componentName
      : componentName.toLowerCase() === services.componentName.toLowerCase();
  if (!same) throw keyNotFound(services);
  return componentName;
}

function keyPath(request: Request): string[] {
  const path = request.keyPath ?? [];
  if (!Array.isArray(path) || !path.every((key) => typeof key === 'string')) {
    throw new IpcError('InvalidArgumentsError', 'keyPath must be a list of strings');
  }
  return path;
}

function qos(request: Request): MqttQos {
  if (request.qos === '0') return 0;
  if (request.qos === '1') return 1;
  throw new IpcError('InvalidArgumentsError', `Invalid QoS ${String(request.qos)}`);
}

function localMessage(publishMessage: unknown): LocalMessage {
  const message = (publishMessage ?? {}) as {
    jsonMessage?: { message?: unknown };
    binaryMessage?: { message?: unknown };
  };
  if (typeof message.jsonMessage?.message === 'object' && message.jsonMessage.message !== null) {
    return { json: message.jsonMessage.message as Record<string, unknown> };
  }
  if (typeof message.binaryMessage?.message === 'string') {
    return { binary: Buffer.from(message.binaryMessage.message, 'base64') };
  }
  throw new IpcError('InvalidArgumentsError', 'publishMessage needs a jsonMessage or a binaryMessage');
}

function requiredString(request: Request, name: string): string {
  const value = optionalString(request, name);
  if (value === undefined || value === '') throw new IpcError('InvalidArgumentsError', `${name} is required`);
  return value;
}

function optionalString(request: Request, name: string): string | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new IpcError('InvalidArgumentsError', `${name} must be a string`);
  return value;
}
