import { TransportError } from '../../src/errors';
import { Logger } from '../../src/logging/logger';
import { Mqtt5Transport, type Mqtt5TransportOptions } from '../../src/transport/mqtt5-transport';
import type { ConnectionState, IncomingMessage, Transport } from '../../src/transport/transport';
import {
  connectTestClient,
  freePort,
  startMosquitto,
  waitFor,
  type Mosquitto,
  type TestMqttClient,
} from '@ei-gg/testbench';

let broker: Mosquitto;
/** What each test opened, named, closed after it in reverse order. */
const cleanups: Array<{ what: string; close: () => Promise<void> }> = [];
let clientNumber = 0;

beforeAll(async () => {
  broker = await startMosquitto({ tls: true });
});

afterEach(async () => {
  // Each close gets a deadline, so that one that never finishes is named rather than the hook timing out; the
  // others are closed all the same.
  const failures: string[] = [];
  for (const { what, close } of cleanups.splice(0).reverse()) {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}.close() did not finish within 15000 ms`)), 15_000);
    });
    await Promise.race([close(), deadline])
      .catch((error: Error) => failures.push(error.message))
      .finally(() => clearTimeout(timer));
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));
});

afterAll(async () => {
  await broker?.stop();
});

function newTransport(options: Partial<Mqtt5TransportOptions> = {}): Mqtt5Transport {
  const clientId = `ei-gg-it-${process.pid}-${++clientNumber}`;
  const transport = new Mqtt5Transport({
    url: broker.url,
    clientId,
    logger: new Logger({ level: 'silent' }),
    // Quick reconnection after the broker restarts.
    minReconnectDelayMs: 100,
    maxReconnectDelayMs: 1000,
    ...options,
  });
  cleanups.push({ what: `transport ${clientId}`, close: () => transport.close() });
  return transport;
}

async function connectedTransport(options: Partial<Mqtt5TransportOptions> = {}): Promise<Mqtt5Transport> {
  const transport = newTransport(options);
  await transport.connect();
  return transport;
}

async function testClient(url = broker.url, tls = false): Promise<TestMqttClient> {
  const certs = broker.certs!;
  const client = await connectTestClient(url, tls ? { tls: { caFile: certs.caFile, ...certs.client } } : {});
  cleanups.push({ what: `test client ${client.clientId}`, close: () => client.close() });
  return client;
}

/** Messages a transport subscription received, with a way to wait for the next ones. */
function inbox() {
  const messages: IncomingMessage[] = [];
  const waiters: Array<() => void> = [];
  return {
    messages,
    handler: (message: IncomingMessage) => {
      messages.push(message);
      waiters.splice(0).forEach((wake) => wake());
    },
    async waitFor(count: number, timeoutMs = 15_000): Promise<IncomingMessage[]> {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`received ${messages.length} of ${count} messages`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return messages;
    },
  };
}

function waitForState(transport: Transport, state: ConnectionState, timeoutMs = 10_000): Promise<void> {
  if (transport.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      remove();
      reject(new Error(`transport still ${transport.state}, not ${state}, after ${timeoutMs} ms`));
    }, timeoutMs);
    const remove = transport.onStateChange((s) => {
      if (s !== state) return;
      clearTimeout(timer);
      remove();
      resolve();
    });
  });
}

describe('Mqtt5Transport against mosquitto', () => {
  it('publishes QoS 0 and QoS 1 messages that a subscriber receives', async () => {
    const subscriber = await testClient();
    await subscriber.subscribe('it/publish/#', 1);
    const transport = await connectedTransport();
    expect(transport.state).toBe('connected');

    await transport.publish('it/publish/qos0', 'zero', { qos: 0 });
    await transport.publish('it/publish/qos1', Buffer.from('{"n":1}'), { qos: 1 });

    expect((await subscriber.nextMessage('it/publish/qos0')).text()).toBe('zero');
    const qos1 = await subscriber.nextMessage('it/publish/qos1');
    expect([qos1.json(), qos1.qos]).toEqual([{ n: 1 }, 1]);
  });

  it('delivers a retained message with retain set, and live messages without', async () => {
    const publisher = await connectedTransport();
    await publisher.publish('it/retained/status', 'kept', { qos: 1, retain: true });

    const transport = await connectedTransport();
    const received = inbox();
    await transport.subscribe('it/retained/status', 1, received.handler);
    await received.waitFor(1);
    await publisher.publish('it/retained/status', 'live', { qos: 1 });
    const [retained, live] = await received.waitFor(2);

    expect([retained.payload.toString(), retained.retain]).toEqual(['kept', true]);
    expect([live.payload.toString(), live.retain]).toEqual(['live', false]);
    await publisher.publish('it/retained/status', '', { qos: 1, retain: true });
  });

  it('dispatches each message to every handler whose filter matches, and stops after unsubscribe', async () => {
    const transport = await connectedTransport();
    const plus = inbox();
    const hash = inbox();
    const other = inbox();
    const unsubscribePlus = await transport.subscribe('it/wild/+/commands', 1, plus.handler);
    await transport.subscribe('it/wild/#', 0, hash.handler);
    await transport.subscribe('it/wild/other/commands', 1, other.handler);

    const publisher = await testClient();
    await publisher.publish('it/wild/dev-1/commands', 'a', { qos: 1 });
    await publisher.publish('it/wild/dev-1/status', 'b', { qos: 1 });
    await hash.waitFor(2);
    await plus.waitFor(1);
    await unsubscribePlus();
    await publisher.publish('it/wild/dev-2/commands', 'c', { qos: 1 });
    await hash.waitFor(3);

    expect(plus.messages.map((m) => [m.topic, m.payload.toString()])).toEqual([['it/wild/dev-1/commands', 'a']]);
    expect(hash.messages.map((m) => m.payload.toString())).toEqual(['a', 'b', 'c']);
    expect(other.messages).toHaveLength(0);
  });

  it('connects over mutual TLS with the right CA and certificate', async () => {
    const certs = broker.certs!;
    const transport = await connectedTransport({
      url: broker.tlsUrl!,
      cert: certs.client.certFile,
      key: certs.client.keyFile,
      ca: certs.caFile,
    });
    const received = inbox();
    await transport.subscribe('it/tls/echo', 1, received.handler);
    const peer = await testClient(broker.tlsUrl, true);
    await peer.publish('it/tls/echo', 'over tls', { qos: 1 });
    const [message] = await received.waitFor(1);
    expect(message.payload.toString()).toBe('over tls');
  });

  it('fails clearly, before any retry, when the CA does not match the broker', async () => {
    const certs = broker.certs!;
    const transport = newTransport({
      url: broker.tlsUrl!,
      cert: certs.client.certFile,
      key: certs.client.keyFile,
      ca: certs.wrongCaFile,
    });
    // The TLS preflight's verdict (Node's TLS, before the aws-crt client starts and retries): its message below
    // names the CA check, not a timeout.
    const failure = await transport.connect().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransportError);
    expect((failure as Error).message).toMatch(
      new RegExp(`TLS handshake with ${broker.tlsUrl!.replace(/\./g, '\\.')} failed: .*check --ca`),
    );
    expect(transport.state).toBe('disconnected');
  });

  it('fails clearly when the broker refuses the client certificate', async () => {
    const certs = broker.certs!;
    const transport = newTransport({
      url: broker.tlsUrl!,
      cert: certs.wrongClient.certFile,
      key: certs.wrongClient.keyFile,
      ca: certs.caFile,
    });
    await expect(transport.connect()).rejects.toThrow(/^TLS with mqtts:\/\/.* failed .*check --cert and --key/);
  });

  it('names the URL and the cause when nothing listens', async () => {
    const url = `mqtt://127.0.0.1:${await freePort()}`;
    const transport = newTransport({ url });
    await expect(transport.connect()).rejects.toThrow(
      new RegExp(`MQTT connection to ${url.replace(/\./g, '\\.')} failed: .*CONNECTION_REFUSED`),
    );
  });

  it('rides out a broker restart: reconnects, delivers queued QoS 1, fails QoS 0, keeps subscriptions', async () => {
    const transport = await connectedTransport();
    const states: ConnectionState[] = [];
    transport.onStateChange((s) => states.push(s));
    const received = inbox();
    await transport.subscribe('it/restart/#', 1, received.handler);
    const observer = await testClient();
    await observer.subscribe('it/restart/#', 1);

    const restarting = broker.restart();
    await waitForState(transport, 'disconnected');
    // Retained, so that whoever resubscribes after the queue is flushed still gets it.
    const queued = transport.publish('it/restart/queued', 'sent while down', { qos: 1, retain: true });
    await expect(transport.publish('it/restart/dropped', 'lost', { qos: 0 })).rejects.toBeInstanceOf(TransportError);
    await restarting;

    await waitForState(transport, 'connected');
    await queued;
    await waitFor(() => observer.connectionCount === 2, 10_000, 'the observer to reconnect');
    expect((await observer.nextMessage('it/restart/queued')).text()).toBe('sent while down');
    // The transport's own restored subscription gets the retained copy, then live messages.
    await received.waitFor(1);
    await observer.publish('it/restart/after', 'live again', { qos: 1 });
    const messages = await received.waitFor(2);
    expect(messages.map((m) => m.payload.toString())).toEqual(['sent while down', 'live again']);
    // The client may report a reconnect attempt before its disconnection on a busy machine: the order that
    // matters is lost, then connected again.
    expect(states).toContain('disconnected');
    expect(states.indexOf('disconnected')).toBeLessThan(states.lastIndexOf('connected'));
    expect(states[states.length - 1]).toBe('connected');
    await observer.publish('it/restart/queued', '', { qos: 1, retain: true });
  });

  it('close() ends the transport: state closed, later calls reject', async () => {
    const transport = await connectedTransport();
    const states: ConnectionState[] = [];
    transport.onStateChange((s) => states.push(s));
    await transport.close();
    expect(states[states.length - 1]).toBe('closed');
    await expect(transport.publish('it/closed', 'x', { qos: 1 })).rejects.toThrow(/closed/);
    await expect(transport.subscribe('it/closed', 1, () => undefined)).rejects.toBeInstanceOf(TransportError);
    await transport.close();
  });
});
