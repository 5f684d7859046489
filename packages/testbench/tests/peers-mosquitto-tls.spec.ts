import { connectTestClient, Mosquitto, startMosquitto, TestClientOptions, TestMqttClient } from '../src';

describe('mosquitto, mutual TLS like IoT Core', () => {
  let broker: Mosquitto;
  let tls: NonNullable<Mosquitto['certs']>;
  const clients: TestMqttClient[] = [];
  const connect = async (url: string, options?: TestClientOptions): Promise<TestMqttClient> => {
    const client = await connectTestClient(url, options);
    clients.push(client);
    return client;
  };
  const tlsUrl = (): string => broker.tlsUrl as string;

  beforeAll(async () => {
    broker = await startMosquitto({ tls: true });
    tls = broker.certs as NonNullable<Mosquitto['certs']>;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('opens a plain and a TLS listener on distinct ports', () => {
    expect(broker.tlsUrl).toBe(`mqtts://127.0.0.1:${broker.tlsPort}`);
    expect(broker.tlsPort).not.toBe(broker.port);
  });

  it('lets a client with a certificate from the CA exchange messages, also with plain clients', async () => {
    const device = await connect(tlsUrl(), { tls: { caFile: tls.caFile, ...tls.client } });
    const observer = await connect(broker.url);
    await device.subscribe('ei-gg/test/tls/in');
    await observer.subscribe('ei-gg/test/tls/out');

    await device.publish('ei-gg/test/tls/out', { from: 'device' }, { qos: 1 });
    await observer.publish('ei-gg/test/tls/in', { to: 'device' }, { qos: 1 });

    expect((await observer.nextMessage('ei-gg/test/tls/out')).json()).toEqual({ from: 'device' });
    expect((await device.nextMessage('ei-gg/test/tls/in')).json()).toEqual({ to: 'device' });
  });

  it('rejects a client whose certificate comes from another CA', async () => {
    // The broker's refusal (a TLS read failure), not the connect timeout's "no CONNACK within ...".
    await expect(connectTestClient(tlsUrl(), { tls: { caFile: tls.caFile, ...tls.wrongClient } })).rejects.toThrow(
      /could not connect to mqtts:.*AWS_IO_TLS_ERROR_READ_FAILURE/,
    );
  });

  it('refuses an mqtts:// URL without certificates', async () => {
    await expect(connectTestClient(tlsUrl())).rejects.toThrow(/needs options.tls/);
  });

  // The client cannot verify the broker. aws-crt's TLS (s2n) then holds the failure for its "blinding" delay, a
  // random 10 to 30 s against timing attacks, which no aws-crt option shortens: hence the long connect timeout
  // (the longest inner wait of all the tests; jest.preset.js's testTimeout is above it).
  it('fails a client that trusts another CA, after the TLS blinding delay', async () => {
    const started = Date.now();
    await expect(
      connectTestClient(tlsUrl(), { tls: { caFile: tls.wrongCaFile, ...tls.client }, connectTimeoutMs: 45_000 }),
    ).rejects.toThrow(/could not connect to mqtts:.*TLS \(SSL\) negotiation failed/);
    // A lower bound: the delay really was held (load can only lengthen it).
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
  });
});
