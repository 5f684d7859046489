import { releaseNativeClients, topicMatches } from '@ei-gg/core';
import { iot, mqtt5 } from 'aws-iot-device-sdk-v2';
import { once } from 'events';
import { randomBytes } from 'crypto';

export interface TestClientTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface TestClientOptions {
  /** Defaults to a random "ei-gg-test-..." id. */
  clientId?: string;
  /** Required for mqtts:// URLs. */
  tls?: TestClientTls;
  keepAliveSeconds?: number;
  /** How long connectTestClient waits for the first CONNACK or failure (default 10 s). */
  connectTimeoutMs?: number;
}

export interface ReceivedMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  text(): string;
  json<T = unknown>(): T;
}

export interface PublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
}

/**
 * An MQTT 5 client for tests, on the same aws-crt client the components use. Messages are queued as they arrive,
 * so a test can publish first and ask for the message afterwards. Subscriptions are restored after a reconnect
 * (the broker keeps no session across a restart).
 */
export interface TestMqttClient {
  readonly clientId: string;
  /**
   * Connections made so far, each counted once its subscriptions are in place: 2 after one reconnect
   * (`await waitFor(() => client.connectionCount === 2, ...)` after a broker restart).
   */
  readonly connectionCount: number;
  /** Resolves once the broker has taken the message (PUBACK for QoS 1). */
  publish(topic: string, payload: string | object | Buffer, options?: PublishOptions): Promise<void>;
  /** Resolves on a successful SUBACK. */
  subscribe(filter: string, qos?: 0 | 1): Promise<void>;
  /** Takes the oldest received message whose topic matches `filter` (MQTT wildcards), waiting for one if needed. */
  nextMessage(filter: string, timeoutMs?: number): Promise<ReceivedMessage>;
  /** Takes `count` messages matching `filter`, in arrival order. */
  collect(filter: string, count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  /** Stops the client and releases its native resources; idempotent. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 5000;

export async function connectTestClient(url: string, options: TestClientOptions = {}): Promise<TestMqttClient> {
  const client = new TestClient(url, options);
  try {
    await client.connect(options.connectTimeoutMs ?? 10_000);
  } catch (error) {
    // Stops the client's retries and releases its native side.
    await client.close();
    throw error;
  }
  return client;
}

interface Waiter {
  filter: string;
  resolve(message: ReceivedMessage): void;
}

class TestClient implements TestMqttClient {
  readonly clientId: string;
  // Only this field references the aws-crt client, so that close() can make it collectable (see releaseNativeClients).
  private client: mqtt5.Mqtt5Client | undefined;
  private readonly subscriptions = new Map<string, mqtt5.QoS>();
  private readonly received: ReceivedMessage[] = [];
  private readonly waiters: Waiter[] = [];
  private connections = 0;
  private firstConnection: ((failure?: string) => void) | undefined;

  constructor(
    private readonly url: string,
    options: TestClientOptions,
  ) {
    this.clientId = options.clientId ?? `ei-gg-test-${randomBytes(4).toString('hex')}`;
    this.client = new mqtt5.Mqtt5Client(clientConfig(url, this.clientId, options));
    this.client.on('messageReceived', ({ message }) => this.onMessage(message));
    this.client.on('connectionSuccess', () => void this.onConnected());
    this.client.on('connectionFailure', ({ error }) => this.onConnectionFailure(reasonOf(error)));
  }

  get connectionCount(): number {
    return this.connections;
  }

  async connect(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    // Settles with a description, not an Error: an Error made inside an aws-crt event handler keeps the emitting
    // Mqtt5Client reachable through its captured stack frames, so the client could not be collected on close().
    const failure = new Promise<string | undefined>((resolve) => {
      this.firstConnection = resolve;
      timer = setTimeout(() => resolve(`no CONNACK within ${timeoutMs} ms`), timeoutMs);
    });
    this.liveClient().start();
    const reason = await failure;
    clearTimeout(timer);
    this.firstConnection = undefined;
    if (reason !== undefined) throw new Error(`test client could not connect to ${this.url}: ${reason}`);
  }

  async publish(topic: string, payload: string | object | Buffer, options: PublishOptions = {}): Promise<void> {
    const result = await this.liveClient().publish({
      topicName: topic,
      payload: encodePayload(payload),
      qos: options.qos ?? mqtt5.QoS.AtMostOnce,
      retain: options.retain ?? false,
    });
    if (result !== undefined && !mqtt5.isSuccessfulPubackReasonCode(result.reasonCode)) {
      throw new Error(`publish to ${topic} refused: PUBACK reason code ${result.reasonCode}`);
    }
  }

  async subscribe(filter: string, qos: 0 | 1 = 1): Promise<void> {
    this.subscriptions.set(filter, qos);
    await this.sendSubscriptions([[filter, qos]]);
  }

  async nextMessage(filter: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ReceivedMessage> {
    const index = this.received.findIndex((message) => topicMatches(filter, message.topic));
    if (index >= 0) return this.received.splice(index, 1)[0];
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        filter,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        const others = this.received.map((message) => message.topic);
        reject(
          new Error(
            `${this.clientId}: no message on ${filter} within ${timeoutMs} ms` +
              (others.length > 0 ? ` (unclaimed messages on: ${others.join(', ')})` : ''),
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async collect(filter: string, count: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    const messages: ReceivedMessage[] = [];
    while (messages.length < count) {
      try {
        messages.push(await this.nextMessage(filter, Math.max(0, deadline - Date.now())));
      } catch (error) {
        throw new Error(`collected ${messages.length} of ${count}: ${(error as Error).message}`, { cause: error });
      }
    }
    return messages;
  }

  async close(): Promise<void> {
    if (this.client === undefined) return;
    await this.stopAndDrop();
    await releaseNativeClients();
  }

  // Kept apart from close(): a local in close()'s frame, suspended while the GC runs, kept the client alive
  // (seen: jest then lingered ~10 s).
  private async stopAndDrop(): Promise<void> {
    const client = this.liveClient();
    this.client = undefined;
    const stopped = once(client, 'stopped');
    client.stop();
    await stopped;
    client.close();
  }

  private async onConnected(): Promise<void> {
    try {
      // Clean start: after a reconnect the broker has forgotten the subscriptions.
      await this.sendSubscriptions([...this.subscriptions]);
      this.connections += 1;
      this.firstConnection?.();
    } catch (error) {
      this.onConnectionFailure((error as Error).message);
    }
  }

  private onConnectionFailure(reason: string): void {
    // Only the first attempt reports; later ones are the client's own retries while a broker restarts.
    this.firstConnection?.(reason);
  }

  private async sendSubscriptions(subscriptions: Array<[string, mqtt5.QoS]>): Promise<void> {
    if (subscriptions.length === 0) return;
    const suback = await this.liveClient().subscribe({
      subscriptions: subscriptions.map(([topicFilter, qos]) => ({ topicFilter, qos })),
    });
    suback.reasonCodes.forEach((code, i) => {
      if (!mqtt5.isSuccessfulSubackReasonCode(code)) {
        throw new Error(`subscription to ${subscriptions[i][0]} refused: SUBACK reason code ${code}`);
      }
    });
  }

  private onMessage(packet: mqtt5.PublishPacket): void {
    // aws-crt hands over an external ArrayBuffer; an empty payload arrives as a detached one, which cannot be read.
    const bytes = packet.payload as ArrayBuffer | undefined;
    const payload = bytes !== undefined && bytes.byteLength > 0 ? Buffer.from(bytes) : Buffer.alloc(0);
    const message: ReceivedMessage = {
      topic: packet.topicName,
      payload,
      qos: packet.qos,
      retain: packet.retain ?? false,
      text: () => payload.toString('utf8'),
      json: <T>() => JSON.parse(payload.toString('utf8')) as T,
    };
    const index = this.waiters.findIndex((waiter) => topicMatches(waiter.filter, message.topic));
    if (index >= 0) this.waiters.splice(index, 1)[0].resolve(message);
    else this.received.push(message);
  }

  private liveClient(): mqtt5.Mqtt5Client {
    if (this.client === undefined) throw new Error(`${this.clientId} is closed`);
    return this.client;
  }
}

function clientConfig(url: string, clientId: string, options: TestClientOptions): mqtt5.Mqtt5ClientConfig {
  const { protocol, hostname, port } = new URL(url);
  const connectProperties = { clientId, keepAliveIntervalSeconds: options.keepAliveSeconds ?? 30 };
  // Reconnect quickly after a broker restart (aws-crt defaults to 1 s, doubling up to 120 s).
  const minReconnectDelayMs = 100;
  const maxReconnectDelayMs = 1000;
  if (protocol === 'mqtt:') {
    // The IoT config builders always configure TLS: a plain TCP client is configured by hand.
    return {
      hostName: hostname,
      port: Number(port || 1883),
      connectProperties,
      minReconnectDelayMs,
      maxReconnectDelayMs,
    };
  }
  if (protocol !== 'mqtts:') throw new Error(`unsupported MQTT URL ${url}: use mqtt:// or mqtts://`);
  if (options.tls === undefined) throw new Error(`${url} needs options.tls (CA, certificate and key files)`);
  return iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromPath(
    hostname,
    options.tls.certFile,
    options.tls.keyFile,
  )
    .withPort(Number(port || 8883))
    .withCertificateAuthorityFromPath(undefined, options.tls.caFile)
    .withConnectProperties(connectProperties)
    .withMinReconnectDelayMs(minReconnectDelayMs)
    .withMaxReconnectDelayMs(maxReconnectDelayMs)
    .build();
}

function encodePayload(payload: string | object | Buffer): string | Buffer {
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) return payload;
  return JSON.stringify(payload);
}

/** aws-crt's CrtError is an Error; anything else is shown as JSON rather than `[object Object]`. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : JSON.stringify(error);
}
