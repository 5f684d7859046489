/**
 * IpcTransport over the real Greengrass IPC wire protocol: the SDK's greengrasscoreipc client talks to the
 * testbench's local nucleus endpoint over a Unix socket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowAllPolicy, InMemoryIotCore, IpcEndpoint, type IpcEndpointOptions } from '@ei-gg/testbench';
import { TransportError } from '../../src/errors';
import { IpcConnection, type IpcConnectionOptions } from '../../src/greengrass/ipc-connection';
import { IpcTransport } from '../../src/greengrass/ipc-transport';
import { Logger } from '../../src/logging/logger';
import type { ConnectionState, IncomingMessage } from '../../src/transport/transport';

const COMPONENT = 'com.example.Detector';
const logger = new Logger({ level: 'silent' });

describe('IpcTransport', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startEndpoint(options: Partial<IpcEndpointOptions> = {}): Promise<IpcEndpoint> {
    // A component without a policy may not publish or subscribe: these tests are not about authorization.
    const endpoint = await IpcEndpoint.start({
      componentName: COMPONENT,
      policy: allowAllPolicy(COMPONENT),
      ...options,
    });
    cleanups.push(() => endpoint.close());
    return endpoint;
  }

  function transportFor(
    endpoint: IpcEndpoint,
    options: IpcConnectionOptions = {},
    publishTimeoutMs?: number,
  ): IpcTransport {
    const connection = new IpcConnection({
      socketPath: endpoint.socketPath,
      authToken: endpoint.svcuid,
      reconnectBaseMs: 50,
      reconnectMaxMs: 200,
      logger,
      ...options,
    });
    const transport = new IpcTransport(connection, { logger, publishTimeoutMs });
    cleanups.push(() => transport.close());
    return transport;
  }

  async function connected(options: Partial<IpcEndpointOptions> = {}) {
    const endpoint = await startEndpoint(options);
    const transport = transportFor(endpoint);
    await transport.connect();
    return { endpoint, transport };
  }

  it('connects, and publishes with the QoS and retain flag asked for', async () => {
    const { endpoint, transport } = await connected();
    expect(transport.name).toBe('ipc');
    expect(transport.state).toBe('connected');

    await transport.publish('dev-1/inference', Buffer.from([0, 1, 254, 255]), { qos: 1 });
    await transport.publish('dev-1/status', '{"ok":true}', { qos: 0, retain: true });

    expect(endpoint.published).toEqual([
      { topic: 'dev-1/inference', payload: Buffer.from([0, 1, 254, 255]), qos: 1, retain: false },
      { topic: 'dev-1/status', payload: Buffer.from('{"ok":true}'), qos: 0, retain: true },
    ]);
  });

  it('delivers messages on a subscribed filter until unsubscribed', async () => {
    const iotCore = new InMemoryIotCore();
    const { endpoint, transport } = await connected({ iotCore });
    const received: IncomingMessage[] = [];
    const unsubscribe = await transport.subscribe('dev-1/commands/#', 1, (message) => received.push(message));

    await endpoint.iotCore.publish('dev-1/commands/run', Buffer.from('{"cmd":"x"}'), 1);
    await endpoint.iotCore.publish('dev-2/commands/run', Buffer.from('other device'), 1);
    await waitUntil(() => received.length === 1);
    expect(received).toEqual([{ topic: 'dev-1/commands/run', payload: Buffer.from('{"cmd":"x"}'), retain: false }]);

    await unsubscribe();
    await waitUntil(() => iotCore.subscribedFilters().length === 0);
  });

  it('rejects a publish or subscribe outside the accessControl policy with a TransportError naming topic and operation', async () => {
    const { transport } = await connected({
      policy: {
        'aws.greengrass.ipc.mqttproxy': {
          [`${COMPONENT}:mqttproxy:1`]: {
            operations: ['aws.greengrass#PublishToIoTCore'],
            resources: ['dev-1/inference'],
          },
        },
      },
    });
    await transport.publish('dev-1/inference', 'allowed', { qos: 1 });

    const publishError = await transport.publish('dev-1/secret', 'x', { qos: 1 }).catch((error: unknown) => error);
    expect(publishError).toBeInstanceOf(TransportError);
    expect((publishError as Error).message).toMatch(
      /PublishToIoTCore on topic "dev-1\/secret" .*outside this component's accessControl policy/,
    );

    const subscribeError = await transport
      .subscribe('dev-1/commands', 1, () => undefined)
      .catch((error: unknown) => error);
    expect(subscribeError).toBeInstanceOf(TransportError);
    expect((subscribeError as Error).message).toMatch(/SubscribeToIoTCore on topic "dev-1\/commands" .*accessControl/);
    expect(transport.state).toBe('connected');
  });

  it('fails to connect with a TransportError saying why', async () => {
    const endpoint = await startEndpoint();
    const wrongToken = transportFor(endpoint, { authToken: 'not-the-svcuid' });
    await expect(wrongToken.connect()).rejects.toThrow(/handshake.*SVCUID/);
    expect(wrongToken.state).toBe('disconnected');

    const noSocket = transportFor(endpoint, { socketPath: join(tmpdir(), 'ei-gg-no-such.socket') });
    await expect(noSocket.connect()).rejects.toThrow(TransportError);
    await expect(noSocket.connect()).rejects.toThrow(
      /cannot connect to the Greengrass nucleus IPC socket .*ei-gg-no-such\.socket/,
    );

    const notConnected = transportFor(endpoint);
    await expect(notConnected.publish('t', 'x', { qos: 0 })).rejects.toThrow(
      /not connected \(call connect\(\) first\)/,
    );
  });

  it('gives up connecting after the connect timeout when nothing answers the handshake', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ei-gg-ipc-silent-'));
    const socketPath = join(directory, 'silent.socket');
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      rmSync(directory, { recursive: true, force: true });
    });
    const connection = new IpcConnection({ socketPath, authToken: 'token', connectTimeoutMs: 200, logger });
    cleanups.push(() => connection.close());

    // The connect timeout's own error: it gave up, rather than waiting on.
    await expect(connection.connect()).rejects.toThrow(/silent\.socket: no IPC handshake within 200 ms/);
    expect(connection.state).toBe('disconnected');
  });

  it('reconnects on a new client after the nucleus drops the connection, keeping subscriptions', async () => {
    const { endpoint, transport } = await connected();
    const states: ConnectionState[] = [];
    transport.onStateChange((state) => states.push(state));
    let accepted = 0;
    endpoint.on('connect', () => accepted++);
    const received: IncomingMessage[] = [];
    await transport.subscribe('dev-1/commands', 1, (message) => received.push(message));

    await endpoint.dropConnections();
    await waitUntil(() => states.includes('disconnected'));
    // Issued during the outage: waits for the new client.
    const publishing = transport.publish('dev-1/inference', 'during outage', { qos: 1 });
    await waitUntil(() => transport.state === 'connected');
    await publishing;

    expect(states).toEqual(['disconnected', 'connected']);
    expect(accepted).toBe(1);
    expect(endpoint.published.map((m) => m.payload.toString())).toEqual(['during outage']);
    await endpoint.iotCore.publish('dev-1/commands', Buffer.from('after reconnect'), 1);
    await waitUntil(() => received.length === 1);
    expect(received[0].payload.toString()).toBe('after reconnect');
  });

  it('loses no publish issued while the connection closes under it (before the client reports the loss)', async () => {
    // aws-crt refuses new streams on a closed connection a moment before the SDK client emits 'disconnection':
    // publishes issued in that window must wait for the next client like the others, not fail.
    const { endpoint, transport } = await connected();
    const publishes: Promise<void>[] = [];
    let dropped = false;
    const dropping = endpoint.dropConnections().then(() => (dropped = true));
    for (let i = 0; !dropped || transport.state !== 'disconnected' || i < 200; i++) {
      publishes.push(transport.publish('dev-1/inference', String(i), { qos: 1 }));
      await new Promise((resolve) => setImmediate(resolve));
      if (i > 5000) throw new Error('the client never reported the dropped connection');
    }
    await dropping;
    const results = await Promise.allSettled(publishes);
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const arrived = new Set(endpoint.published.map((m) => m.payload.toString()));
    expect(publishes.map((_, i) => String(i)).filter((payload) => !arrived.has(payload))).toEqual([]);
  });

  it('keeps trying to re-open a subscription the nucleus refuses after a reconnect, until it accepts', async () => {
    const allowed = allowAllPolicy(COMPONENT);
    const iotCore = new InMemoryIotCore();
    const endpoint = await startEndpoint({ policy: undefined, configuration: { accessControl: allowed }, iotCore });
    const attempts: string[] = [];
    const sink = { write: (line: string) => attempts.push(line) };
    const transport = transportFor(endpoint, { logger: new Logger({ level: 'debug', sink }) });
    await transport.connect();
    const received: IncomingMessage[] = [];
    await transport.subscribe('dev-1/commands', 1, (message) => received.push(message));

    // The nucleus comes back with a policy that refuses the subscription (a deployment in progress).
    endpoint.updateConfiguration({ accessControl: {} });
    await endpoint.dropConnections();
    const refused = () => attempts.filter((line) => line.includes('could not re-open an IPC stream')).length;
    await waitUntil(() => refused() >= 2);
    expect(iotCore.subscribedFilters()).not.toContain('dev-1/commands');
    endpoint.updateConfiguration({ accessControl: allowed });
    await waitUntil(() => iotCore.subscribedFilters().includes('dev-1/commands'));
    await iotCore.publish('dev-1/commands', Buffer.from('after the refusal'), 1);
    await waitUntil(() => received.length === 1);
    expect(received[0].payload.toString()).toBe('after the refusal');
  });

  it('waits for a restarted nucleus within the publish timeout, and rejects past it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ei-gg-ipc-restart-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const socketPath = join(directory, 'nucleus.socket');
    const iotCore = new InMemoryIotCore();
    const first = await startEndpoint({ socketPath, iotCore });
    // A timeout no restart here comes near, however busy the machine; `impatient` shows the rejection past one.
    const transport = transportFor(first, {}, 30_000);
    await transport.connect();
    const received: IncomingMessage[] = [];
    await transport.subscribe('dev-1/commands', 0, (message) => received.push(message));

    await first.close();
    await waitUntil(() => transport.state === 'disconnected');
    const publishing = transport.publish('dev-1/inference', 'queued', { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few failed reconnect attempts
    const second = await startEndpoint({ socketPath, svcuid: first.svcuid, iotCore });
    await publishing;
    expect(second.published.map((m) => m.payload.toString())).toEqual(['queued']);
    await waitUntil(() => iotCore.subscribedFilters().includes('dev-1/commands'));
    await iotCore.publish('dev-1/commands', Buffer.from('again'), 0);
    await waitUntil(() => received.length === 1);

    const impatient = transportFor(second, {}, 1500);
    await impatient.connect();
    await second.close();
    await waitUntil(() => impatient.state === 'disconnected');
    const started = Date.now();
    await expect(impatient.publish('dev-1/inference', 'lost', { qos: 1 })).rejects.toThrow(
      /PublishToIoTCore on topic "dev-1\/inference" failed: .*not re-established within 1500 ms/,
    );
    // It waited out the timeout (a lower bound: a busy machine only makes the rejection later).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('logs a nucleus outage once however many reconnect attempts fail, and once when it is back', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ei-gg-ipc-outage-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const socketPath = join(directory, 'nucleus.socket');
    const first = await startEndpoint({ socketPath });
    const lines: Array<{ msg: string; failures?: number }> = [];
    const sink = { write: (line: string) => lines.push(JSON.parse(line)) };
    const transport = transportFor(first, {
      logger: new Logger({ level: 'info', sink }),
      reconnectBaseMs: 10,
      reconnectMaxMs: 20,
    });
    await transport.connect();

    await first.close();
    const failedLines = () => lines.filter((line) => line.msg === 'Greengrass IPC reconnect failed');
    await waitUntil(() => failedLines().length > 0);
    await new Promise((resolve) => setTimeout(resolve, 500)); // dozens of further attempts fail meanwhile
    await startEndpoint({ socketPath, svcuid: first.svcuid });
    await waitUntil(() => transport.state === 'connected');

    expect(failedLines()).toHaveLength(1);
    const recovered = lines.filter((line) => line.msg === 'Greengrass IPC reconnect recovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0].failures).toBeGreaterThan(5);
  });

  it('closes for good: state closed, further calls rejected', async () => {
    const { endpoint, transport } = await connected();
    await transport.subscribe('dev-1/commands', 1, () => undefined);
    await transport.close();
    expect(transport.state).toBe('closed');
    await expect(transport.publish('t', 'x', { qos: 1 })).rejects.toThrow(/connection is closed/);
    await expect(transport.connect()).rejects.toThrow(TransportError);
    await waitUntil(() => endpoint.connectionCount === 0);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
