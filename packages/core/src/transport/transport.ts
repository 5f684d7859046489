/**
 * The one small interface every way of reaching IoT Core implements: Greengrass IPC (the nucleus owns the
 * MQTT connection and its spooler), direct MQTT 5, or stdout/stdin for local runs. Components and the
 * publisher see only this.
 */
export type TransportName = 'ipc' | 'mqtt' | 'stdout';
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';
export type Qos = 0 | 1;

export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  /** True for a message the broker kept (retained) and delivered at subscription. */
  retain: boolean;
}

export interface PublishOptions {
  qos: Qos;
  retain?: boolean;
}

export type MessageHandler = (message: IncomingMessage) => void;
export type Unsubscribe = () => Promise<void>;

export interface Transport {
  readonly name: TransportName;
  readonly state: ConnectionState;
  /** Resolves once connected; rejects with a TransportError naming what failed (socket, TLS, auth). */
  connect(): Promise<void>;
  /** Resolves when the peer accepted the message (QoS 1: acknowledged); rejects with a TransportError. */
  publish(topic: string, payload: Buffer | string, options: PublishOptions): Promise<void>;
  subscribe(topicFilter: string, qos: Qos, onMessage: MessageHandler): Promise<Unsubscribe>;
  /** Called on every state change, including reconnects after a drop. Returns a function that removes it. */
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  /** Releases every native resource; the transport cannot be used again. */
  close(): Promise<void>;
}
