import { iot, mqtt5 } from 'aws-iot-device-sdk-v2';
import { once } from 'events';
import { TransportError } from '../errors';
import { withTimeout } from '../timing/with-timeout';
import type { Logger } from '../logging/logger';
import { RepeatedErrorLog } from '../logging/repeated-error-log';
import { ConnectionStateTracker } from './connection-state-tracker';
import { releaseNativeClients } from './release-native-clients';
import { type Subscription, SubscriptionRegistry } from './subscription-registry';
import { checkTlsHandshake } from './tls-preflight';
import type { ConnectionState, MessageHandler, PublishOptions, Qos, Transport, Unsubscribe } from './transport';

export interface Mqtt5TransportOptions {
  /** `mqtt://host:port` (plain TCP) or `mqtts://host:port` (mutual TLS, needs `cert` and `key`). */
  url: string;
  clientId: string;
  /** PEM file paths for mutual TLS; `ca` replaces the default trust store. */
  cert?: string;
  key?: string;
  ca?: string;
  logger: Logger;
  /** Default 60. */
  keepAliveSeconds?: number;
  /** Bounds of aws-crt's exponential reconnect back-off (with jitter). Defaults 1 s and 30 s. */
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** Bound on the TLS pre-flight handshake of connect(). Default 10 s. */
  tlsHandshakeTimeoutMs?: number;
}

/**
 * How long the broker keeps the session (subscriptions, QoS 1 messages for us) across a dropped connection. The
 * first connection starts clean; reconnections rejoin (RejoinPostSuccess), and close() ends the session.
 */
const SESSION_EXPIRY_SECONDS = 3600;
/**
 * Longest wait between reconnection attempts. aws-crt's default is 120 s: a broker back after an outage would
 * wait up to two minutes for the device, with results piling up meanwhile.
 */
const MAX_RECONNECT_DELAY_MS = 30_000;
/** The fault under which failed connection attempts are logged: once, then a count per interval. */
const CONNECTING = 'MQTT connection';
/** Longest wait for the client's 'stopped' event when closing. */
const STOP_TIMEOUT_MS = 5000;

interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
}

/**
 * Direct MQTT 5 (aws-crt), to AWS IoT Core over mutual TLS or to any broker. Reconnection, with exponential
 * back-off, is the client's own. While disconnected, QoS 1 publishes wait in the client's in-memory queue and
 * complete after reconnection (FailNonQos1PublishOnDisconnect), QoS 0 publishes reject at once. Subscriptions
 * survive reconnection: a rejoined session keeps them, otherwise they are sent again.
 */
export class Mqtt5Transport implements Transport {
  readonly name = 'mqtt' as const;
  private readonly endpoint: Endpoint;
  private readonly logger: Logger;
  private readonly tracker: ConnectionStateTracker;
  private readonly subscriptions: SubscriptionRegistry;
  /** An outage fails an attempt every back-off interval, for as long as it lasts: not a line per attempt. */
  private readonly attempts: RepeatedErrorLog;
  /** Filters the broker has acknowledged in the current session. */
  private readonly confirmedFilters = new Set<string>();
  /**
   * MQTT 5 subscription identifiers, one per filter. A broker may send one copy of a message per matching
   * subscription (mosquitto does): the identifiers it attaches say which filters' handlers each copy is for.
   */
  private readonly filterIds = new Map<string, number>();
  /** Whether the broker accepts subscription identifiers (AWS IoT Core may not; then overlapping filters get copies). */
  private subscriptionIdsAvailable = false;
  /**
   * The only reference to the aws-crt client, so that close() can make it collectable (see releaseNativeClients).
   * For the same reason no method keeps it in a local variable across an await.
   */
  private client: mqtt5.Mqtt5Client | undefined;
  /** Settles the pending connect(): with nothing on success, with a description on failure. */
  private settleConnect: ((failure?: string) => void) | undefined;

  constructor(private readonly options: Mqtt5TransportOptions) {
    this.endpoint = parseMqttUrl(options);
    this.logger = options.logger.child({ transport: 'mqtt', url: options.url });
    this.tracker = new ConnectionStateTracker('disconnected', this.logger);
    this.subscriptions = new SubscriptionRegistry(this.logger);
    this.attempts = new RepeatedErrorLog({ logger: this.logger, level: 'warn', settleMs: 0 });
  }

  get state(): ConnectionState {
    return this.tracker.state;
  }

  async connect(): Promise<void> {
    this.assertOpen();
    if (this.client) throw this.error('connect() was already called');
    this.tracker.set('connecting');
    try {
      if (this.endpoint.tls) await this.checkTls();
      this.startClient();
    } catch (error) {
      this.tracker.set('disconnected');
      throw error;
    }
    // Settled with a description, not an Error: an Error made in an aws-crt event handler would keep the emitting
    // client reachable through its stack frames.
    const failure = await new Promise<string | undefined>((resolve) => (this.settleConnect = resolve));
    this.settleConnect = undefined;
    if (failure === undefined) return;
    await this.stopClient();
    await releaseNativeClients();
    throw this.error(failure);
  }

  async publish(topic: string, payload: Buffer | string, options: PublishOptions): Promise<void> {
    let result: mqtt5.PublishCompletionResult;
    try {
      result = await this.liveClient().publish({
        topicName: topic,
        payload,
        qos: options.qos,
        retain: options.retain ?? false,
      });
    } catch (cause) {
      throw this.error(`publish to ${topic} failed: ${describe(cause)}`, { topic }, cause);
    }
    if (result !== undefined && !mqtt5.isSuccessfulPubackReasonCode(result.reasonCode)) {
      throw this.error(`broker refused the message for ${topic} (PUBACK reason code ${result.reasonCode})`, {
        topic,
      });
    }
  }

  async subscribe(topicFilter: string, qos: Qos, onMessage: MessageHandler): Promise<Unsubscribe> {
    this.assertOpen();
    const previousQos = this.subscriptions.qosFor(topicFilter);
    const subscription = this.subscriptions.add(topicFilter, qos, onMessage);
    // Not connected: the subscription is sent once the connection (re)starts.
    if (this.tracker.state === 'connected' && (previousQos === undefined || qos > previousQos)) {
      try {
        await this.sendSubscribe(topicFilter, qos);
      } catch (error) {
        // A connection that dropped meanwhile restores the subscription when it comes back.
        if (this.tracker.state === 'connected') {
          this.subscriptions.remove(subscription);
          throw error;
        }
      }
    }
    return () => this.unsubscribe(subscription);
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    return this.tracker.onChange(listener);
  }

  async close(): Promise<void> {
    if (this.tracker.state === 'closed') return;
    this.settleConnect?.('the transport was closed before it connected');
    await this.stopClient();
    this.attempts.close();
    // Kept out of stopClient(): no suspended frame may still hold the client when the collector runs.
    await releaseNativeClients();
    this.tracker.set('closed');
  }

  private async checkTls(): Promise<void> {
    const { cert, key, ca } = this.options;
    await checkTlsHandshake({
      url: this.options.url,
      host: this.endpoint.host,
      port: this.endpoint.port,
      certFile: cert as string,
      keyFile: key as string,
      ...(ca === undefined ? {} : { caFile: ca }),
      timeoutMs: this.options.tlsHandshakeTimeoutMs ?? 10_000,
    });
  }

  private startClient(): void {
    try {
      this.client = new mqtt5.Mqtt5Client(this.clientConfig());
    } catch (cause) {
      throw this.error(`cannot create the MQTT client: ${describe(cause)}`, {}, cause);
    }
    this.client.on('attemptingConnect', () => this.tracker.set('connecting'));
    this.client.on('connectionSuccess', ({ settings }) => {
      this.subscriptionIdsAvailable = settings.subscriptionIdentifiersAvailable;
      this.onConnected(settings.rejoinedSession);
    });
    this.client.on('connectionFailure', ({ error, connack }) => {
      const reason = connack ? `CONNACK ${mqtt5.ConnectReasonCode[connack.reasonCode]}` : describe(error);
      // A description, not an Error: see settleConnect.
      this.attempts.failed(CONNECTING, { code: error.error_name ?? 'MQTT_CONNECT', message: reason });
      this.tracker.set('disconnected');
      this.settleConnect?.(connectFailure(this.options.url, error.error_name, reason));
    });
    this.client.on('disconnection', ({ error }) => {
      if (error.error_name !== 'AWS_ERROR_MQTT5_USER_REQUESTED_STOP') {
        this.logger.warn('MQTT connection lost; reconnecting', { reason: describe(error) });
      }
      this.tracker.set('disconnected');
    });
    this.client.on('messageReceived', ({ message }) => {
      // An empty payload arrives as a detached ArrayBuffer, which cannot be read.
      const bytes = message.payload as ArrayBuffer | undefined;
      const payload = bytes !== undefined && bytes.byteLength > 0 ? Buffer.from(bytes) : Buffer.alloc(0);
      const ids = message.subscriptionIdentifiers;
      const filters = ids?.length ? this.filtersWithIds(ids) : undefined;
      this.subscriptions.dispatch({ topic: message.topicName, payload, retain: message.retain ?? false }, filters);
    });
    this.client.start();
  }

  private clientConfig(): mqtt5.Mqtt5ClientConfig {
    const { host, port, tls } = this.endpoint;
    const { clientId, keepAliveSeconds, minReconnectDelayMs, maxReconnectDelayMs } = this.options;
    const connectProperties = {
      clientId,
      keepAliveIntervalSeconds: keepAliveSeconds ?? 60,
      sessionExpiryIntervalSeconds: SESSION_EXPIRY_SECONDS,
    };
    const behaviour = {
      sessionBehavior: mqtt5.ClientSessionBehavior.RejoinPostSuccess,
      // Keeps QoS 1 publishes across disconnections (the publisher bounds how many); fails QoS 0 publishes,
      // subscribes and unsubscribes.
      offlineQueueBehavior: mqtt5.ClientOperationQueueBehavior.FailNonQos1PublishOnDisconnect,
      ...(minReconnectDelayMs === undefined ? {} : { minReconnectDelayMs }),
      maxReconnectDelayMs: maxReconnectDelayMs ?? MAX_RECONNECT_DELAY_MS,
    };
    // The IoT builders always configure TLS: a plain TCP client is configured by hand.
    if (!tls) return { hostName: host, port, connectProperties, ...behaviour };
    const builder = iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromPath(
      host,
      this.options.cert as string,
      this.options.key as string,
    ).withPort(port);
    if (this.options.ca !== undefined) builder.withCertificateAuthorityFromPath(undefined, this.options.ca);
    return { ...builder.withConnectProperties(connectProperties).build(), ...behaviour };
  }

  private onConnected(rejoinedSession: boolean): void {
    this.attempts.succeeded(CONNECTING);
    this.logger.info('MQTT connected', { rejoinedSession });
    this.tracker.set('connected');
    this.settleConnect?.();
    if (!rejoinedSession) this.confirmedFilters.clear();
    for (const [filter, qos] of this.subscriptions.filters()) {
      if (this.confirmedFilters.has(filter)) continue;
      this.sendSubscribe(filter, qos).catch((error: unknown) =>
        this.logger.error('restoring a subscription failed', { filter, error }),
      );
    }
  }

  private async sendSubscribe(filter: string, qos: Qos): Promise<void> {
    let suback: mqtt5.SubackPacket;
    try {
      suback = await this.liveClient().subscribe({
        subscriptions: [{ topicFilter: filter, qos }],
        ...(this.subscriptionIdsAvailable ? { subscriptionIdentifier: this.filterId(filter) } : {}),
      });
    } catch (cause) {
      throw this.error(`subscribing to ${filter} failed: ${describe(cause)}`, { filter }, cause);
    }
    const code = suback.reasonCodes[0];
    if (!mqtt5.isSuccessfulSubackReasonCode(code)) {
      throw this.error(`broker refused the subscription to ${filter} (SUBACK reason code ${code})`, { filter });
    }
    this.confirmedFilters.add(filter);
  }

  private async unsubscribe(subscription: Subscription): Promise<void> {
    const { filter } = subscription;
    if (!this.subscriptions.remove(subscription)) return;
    this.confirmedFilters.delete(filter);
    // Offline, a rejoined session may still deliver on this filter: those messages match no handler and are dropped.
    if (this.tracker.state !== 'connected') return;
    try {
      await this.liveClient().unsubscribe({ topicFilters: [filter] });
    } catch (cause) {
      throw this.error(`unsubscribing from ${filter} failed: ${describe(cause)}`, { filter }, cause);
    }
  }

  private filterId(filter: string): number {
    let id = this.filterIds.get(filter);
    if (id === undefined) {
      id = this.filterIds.size + 1;
      this.filterIds.set(filter, id);
    }
    return id;
  }

  private filtersWithIds(ids: number[]): Set<string> {
    return new Set([...this.filterIds].filter(([, id]) => ids.includes(id)).map(([filter]) => filter));
  }

  /** Stops the client (ending its broker session), closes it and drops it. */
  private async stopClient(): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    this.client = undefined;
    this.confirmedFilters.clear();
    const stopped = once(client, 'stopped');
    client.stop({ reasonCode: mqtt5.DisconnectReasonCode.NormalDisconnection, sessionExpiryIntervalSeconds: 0 });
    // aws-crt has been seen not to emit 'stopped' on a loaded machine: close() must not hang on it.
    await withTimeout(stopped, STOP_TIMEOUT_MS).catch(() =>
      this.logger.warn('the MQTT client did not report stopping; closing it anyway', { waitedMs: STOP_TIMEOUT_MS }),
    );
    client.close();
    client.removeAllListeners();
  }

  private liveClient(): mqtt5.Mqtt5Client {
    if (this.client === undefined) {
      throw this.error(this.tracker.state === 'closed' ? 'the transport is closed' : 'connect() was not called');
    }
    return this.client;
  }

  private assertOpen(): void {
    if (this.tracker.state === 'closed') throw this.error('the transport is closed');
  }

  private error(message: string, context: Record<string, unknown> = {}, cause?: unknown): TransportError {
    return new TransportError(message.includes(this.options.url) ? message : `${this.options.url}: ${message}`, {
      context: { transport: this.name, url: this.options.url, ...context },
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

function parseMqttUrl({ url, cert, key }: Mqtt5TransportOptions): Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TransportError(`invalid MQTT URL ${JSON.stringify(url)}: expected mqtt://host:port or mqtts://host:port`);
  }
  const tls = parsed.protocol === 'mqtts:';
  if (!tls && parsed.protocol !== 'mqtt:') {
    throw new TransportError(`unsupported MQTT URL ${url}: use mqtt://host:port or mqtts://host:port`);
  }
  if (tls && (cert === undefined || key === undefined)) {
    throw new TransportError(`${url} uses mutual TLS: --cert and --key are required`, { context: { url } });
  }
  // URL keeps IPv6 hosts in brackets; the socket wants them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(parsed.port || (tls ? 8883 : 1883)), tls };
}

function connectFailure(url: string, errorName: string | undefined, reason: string): string {
  // The pre-flight handshake passed, so this is mostly the broker refusing the client certificate.
  if (errorName?.startsWith('AWS_IO_TLS_')) {
    return `TLS with ${url} failed (${reason}): check --cert and --key (and --ca)`;
  }
  return `MQTT connection to ${url} failed: ${reason}`;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
