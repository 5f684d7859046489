/** @ei-gg/core/transport: the transports results and commands travel over (SPEC 6). */
export type {
  ConnectionState,
  IncomingMessage,
  MessageHandler,
  PublishOptions,
  Qos,
  Transport,
  Unsubscribe,
} from './transport';
export { createTransport } from './create-transport';
export { StdoutTransport, type StdoutTransportOptions } from './stdout-transport';
export { Mqtt5Transport, type Mqtt5TransportOptions } from './mqtt5-transport';
export { releaseNativeClients } from './release-native-clients';
export { topicMatches } from './topic-matches';
