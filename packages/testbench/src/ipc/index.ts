export {
  AccessPolicy,
  allowAllPolicy,
  IpcService,
  type AccessControl,
  type AccessControlPolicy,
  type PolicyVariables,
} from './access-policy';
export type { ConfigTree } from './configuration-store';
export {
  decodeFrame,
  encodeFrame,
  FrameReader,
  FramingError,
  MessageFlags,
  MessageType,
  type IpcFrame,
} from './event-stream-framing';
export {
  IpcEndpoint,
  type CompletedOperation,
  type IpcEndpointEvents,
  type IpcEndpointOptions,
  type IpcEnvironment,
} from './ipc-endpoint';
export type { PublishedMessage } from './ipc-operations';
export type { IpcErrorCode, NucleusKind } from './ipc-error';
export {
  TOKEN_EXCHANGE_PATH,
  TokenExchangeService,
  type TokenExchangeCredentials,
  type TokenExchangeRequest,
} from './token-exchange-service';
export { InMemoryIotCore, type IotCoreBridge, type MqttMessageHandler, type MqttQos } from './iot-core-bridge';
export { MqttBrokerBridge } from './mqtt-broker-bridge';
export { startIotCore, type IotCoreStandIn } from './iot-core-stand-in';
export type { SecretDefinition, SecretsOption } from './secret-store';
export {
  SHADOW_MANAGER,
  ShadowRejection,
  ShadowStore,
  shadowTopicPrefix,
  type ShadowDocument,
  type ShadowJson,
  type ShadowJsonObject,
  type ShadowMetadata,
  type ShadowOperation,
  type ShadowRejectionKind,
  type ShadowState,
  type ShadowUpdateAccepted,
} from './shadow-store';
