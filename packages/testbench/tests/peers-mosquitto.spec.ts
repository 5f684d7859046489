import { connectTestClient, Mosquitto, startMosquitto, TestClientOptions, TestMqttClient, waitFor } from '../src';

describe('mosquitto, plain TCP', () => {
  let broker: Mosquitto;
  const clients: TestMqttClient[] = [];
  const connect = async (options?: TestClientOptions): Promise<TestMqttClient> => {
    const client = await connectTestClient(broker.url, options);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('listens on 127.0.0.1 at the port of its URL', () => {
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    expect(broker.tlsUrl).toBeUndefined();
  });

  it('carries QoS 0 and QoS 1 messages between two clients, in order', async () => {
    const subscriber = await connect();
    const publisher = await connect();
    await subscriber.subscribe('ei-gg/test/+/data', 1);

    await publisher.publish('ei-gg/test/a/data', { n: 1 }, { qos: 0 });
    await publisher.publish('ei-gg/test/b/data', 'two', { qos: 1 });
    await publisher.publish('ei-gg/test/c/data', Buffer.from([0, 255]), { qos: 1 });
    const [first, second, third] = await subscriber.collect('ei-gg/test/+/data', 3);

    expect(first).toMatchObject({ topic: 'ei-gg/test/a/data', qos: 0, retain: false });
    expect(first.json()).toEqual({ n: 1 });
    expect(second).toMatchObject({ topic: 'ei-gg/test/b/data', qos: 1 });
    expect(second.text()).toBe('two');
    expect(third.payload).toEqual(Buffer.from([0, 255]));
  });

  it('keeps a message that arrived before it was asked for, and times out clearly', async () => {
    const client = await connect({ clientId: 'ei-gg-self' });
    await client.subscribe('ei-gg/test/self/#');
    await client.publish('ei-gg/test/self/early', 'early', { qos: 1 });
    await client.publish('ei-gg/test/self/marker', 'marker', { qos: 1 });
    await client.nextMessage('ei-gg/test/self/marker'); // the broker keeps order: "early" is queued by now

    expect((await client.nextMessage('ei-gg/test/self/early')).text()).toBe('early');
    await expect(client.nextMessage('ei-gg/test/self/never', 100)).rejects.toThrow(
      'ei-gg-self: no message on ei-gg/test/self/never within 100 ms',
    );
  });

  it('delivers a retained message, flagged as retained, to a later subscriber', async () => {
    const publisher = await connect();
    await publisher.publish('ei-gg/test/retained', 'last state', { qos: 1, retain: true });

    const late = await connect();
    await late.subscribe('ei-gg/test/retained');
    const retained = await late.nextMessage('ei-gg/test/retained');

    expect(retained.retain).toBe(true);
    expect(retained.text()).toBe('last state');
    await publisher.publish('ei-gg/test/retained', '', { qos: 1, retain: true }); // clears it
  });

  it('restart() keeps the ports and the clients reconnect with their subscriptions', async () => {
    const subscriber = await connect();
    const publisher = await connect();
    await subscriber.subscribe('ei-gg/test/restart');

    await broker.restart();
    await waitFor(() => subscriber.connectionCount === 2, 10_000, 'the subscriber to reconnect');
    await waitFor(() => publisher.connectionCount === 2, 10_000, 'the publisher to reconnect');
    await publisher.publish('ei-gg/test/restart', 'after restart', { qos: 1 });

    expect((await subscriber.nextMessage('ei-gg/test/restart')).text()).toBe('after restart');
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
  });
});

describe('mosquitto, an outage', () => {
  let broker: Mosquitto | undefined;
  let client: TestMqttClient | undefined;

  afterEach(async () => {
    await client?.close();
    await broker?.stop();
  });

  it('suspend() refuses connections on the port until resume() serves it again', async () => {
    broker = await startMosquitto();
    client = await connectTestClient(broker.url);
    await client.subscribe('ei-gg/test/outage', 1);

    await broker.suspend();
    await expect(connectTestClient(broker.url, { connectTimeoutMs: 2000 })).rejects.toThrow();
    await broker.suspend(); // already down: nothing to do

    await broker.resume();
    await waitFor(() => client!.connectionCount === 2, 10_000, 'the client to reconnect');
    const late = await connectTestClient(broker.url);
    await late.publish('ei-gg/test/outage', 'after the outage', { qos: 1 });
    await late.close();
    expect((await client.nextMessage('ei-gg/test/outage')).text()).toBe('after the outage');
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
  });
});
