import { spawn } from 'node:child_process';
import { eventstream_rpc, greengrasscoreipc } from 'aws-iot-device-sdk-v2';
import { allowAllPolicy, InMemoryIotCore } from '../src/ipc';
import { IpcHarness, nextMessage, serviceErrorOf, waitUntil } from './ipc-test-harness';

type IoTCoreMessage = greengrasscoreipc.model.IoTCoreMessage;
type ConfigurationUpdateEvents = greengrasscoreipc.model.ConfigurationUpdateEvents;
type SubscriptionResponseMessage = greengrasscoreipc.model.SubscriptionResponseMessage;

const QOS1 = greengrasscoreipc.model.QOS.AT_LEAST_ONCE;
/** For tests not about authorization: a component without a policy may do nothing, as on the nucleus. */
const ALL = allowAllPolicy('com.example.Tested');

describe('IpcEndpoint with the real greengrasscoreipc client', () => {
  const harness = new IpcHarness();
  afterEach(() => harness.dispose());

  it('records PublishToIoTCore and hands it to the IoT Core bridge', async () => {
    const iotCore = new InMemoryIotCore();
    const received: [string, string][] = [];
    await iotCore.subscribe('dev-1/#', 1, (topic, payload) => received.push([topic, payload.toString()]));
    const endpoint = await harness.endpoint({ iotCore, policy: ALL });
    const client = await harness.connectedClient(endpoint);

    await expect(
      client.publishToIoTCore({ topicName: 'dev-1/status', qos: QOS1, payload: '{"ok":true}' }),
    ).resolves.toEqual({});

    expect(endpoint.published).toEqual([
      { topic: 'dev-1/status', payload: Buffer.from('{"ok":true}'), qos: 1, retain: false },
    ]);
    expect(received).toEqual([['dev-1/status', '{"ok":true}']]);
  });

  it('delivers bridge messages to SubscribeToIoTCore until the operation is closed', async () => {
    const endpoint = await harness.endpoint({ policy: ALL });
    const client = await harness.connectedClient(endpoint);
    const subscription = client.subscribeToIoTCore({ topicName: 'dev-1/commands/+', qos: QOS1 });
    const message = nextMessage<IoTCoreMessage>(subscription);
    await expect(subscription.activate()).resolves.toEqual({});

    await endpoint.iotCore.publish('dev-1/commands/restart', Buffer.from([0, 1, 2]), 1);
    const { message: mqtt } = await message;
    expect(mqtt?.topicName).toBe('dev-1/commands/restart');
    expect(Buffer.from(mqtt?.payload as Buffer)).toEqual(Buffer.from([0, 1, 2]));

    await subscription.close();
    const memory = endpoint.iotCore as InMemoryIotCore;
    await waitUntil(() => memory.subscribedFilters().length === 0);
  });

  it('sends a retained message only after the subscribe response', async () => {
    const iotCore = new InMemoryIotCore();
    await iotCore.publish('dev-1/config', Buffer.from('retained'), 1, true);
    const endpoint = await harness.endpoint({ iotCore, policy: ALL });
    const client = await harness.connectedClient(endpoint);
    const subscription = client.subscribeToIoTCore({ topicName: 'dev-1/config', qos: QOS1 });
    const message = nextMessage<IoTCoreMessage>(subscription);
    await subscription.activate();
    expect(Buffer.from((await message).message?.payload as Buffer).toString()).toBe('retained');
  });

  it('serves GetConfiguration for the whole tree, a subtree and a leaf', async () => {
    const configuration = { thingName: 'dev-1', model: { path: '/m.eim', threshold: 0.6 }, topics: ['a', 'b'] };
    const endpoint = await harness.endpoint({ componentName: 'com.example.Cfg', configuration });
    const client = await harness.connectedClient(endpoint);

    await expect(client.getConfiguration({ keyPath: [] })).resolves.toEqual({
      componentName: 'com.example.Cfg',
      value: configuration,
    });
    await expect(client.getConfiguration({ keyPath: ['model'] })).resolves.toEqual({
      componentName: 'com.example.Cfg',
      value: { path: '/m.eim', threshold: 0.6 },
    });
    // A leaf comes back wrapped in an object keyed by its name, as the nucleus does.
    await expect(client.getConfiguration({ keyPath: ['model', 'threshold'] })).resolves.toEqual({
      componentName: 'com.example.Cfg',
      value: { threshold: 0.6 },
    });
    await expect(client.getConfiguration({ keyPath: ['topics'] })).resolves.toEqual({
      componentName: 'com.example.Cfg',
      value: { topics: ['a', 'b'] },
    });

    expect(await serviceErrorOf(client.getConfiguration({ keyPath: ['model', 'missing'] }))).toMatchObject({
      _errorCode: 'ResourceNotFoundError',
      message: 'Key not found',
    });
    expect(
      await serviceErrorOf(client.getConfiguration({ componentName: 'com.example.Other', keyPath: [] })),
    ).toMatchObject({ _errorCode: 'ResourceNotFoundError' });
  });

  it('pushes configuration updates to subscribers of the changed subtree', async () => {
    const endpoint = await harness.endpoint({ configuration: { model: { threshold: 0.6 }, intervalMs: 1000 } });
    const client = await harness.connectedClient(endpoint);
    const modelUpdates = client.subscribeToConfigurationUpdate({ keyPath: ['model'] });
    const allUpdates = client.subscribeToConfigurationUpdate({ keyPath: [] });
    const modelEvent = nextMessage<ConfigurationUpdateEvents>(modelUpdates);
    const anyEvents: ConfigurationUpdateEvents[] = [];
    allUpdates.on('message', (event) => anyEvents.push(event));
    await modelUpdates.activate();
    await allUpdates.activate();

    expect(endpoint.updateConfiguration({ model: { threshold: 0.8 }, intervalMs: 500 })).toEqual([
      ['model', 'threshold'],
      ['intervalMs'],
    ]);

    expect(await modelEvent).toEqual({
      configurationUpdateEvent: { componentName: 'com.example.Tested', keyPath: ['model', 'threshold'] },
    });
    await waitUntil(() => anyEvents.length === 2);
    expect(anyEvents.map((event) => event.configurationUpdateEvent?.keyPath)).toEqual([
      ['model', 'threshold'],
      ['intervalMs'],
    ]);
    await expect(client.getConfiguration({ keyPath: ['intervalMs'] })).resolves.toMatchObject({
      value: { intervalMs: 500 },
    });

    const missing = client.subscribeToConfigurationUpdate({ keyPath: ['nope'] });
    expect(await serviceErrorOf(missing.activate())).toMatchObject({ _errorCode: 'ResourceNotFoundError' });
  });

  it('records UpdateState and lets a test wait for a state', async () => {
    const endpoint = await harness.endpoint();
    const client = await harness.connectedClient(endpoint);
    const running = endpoint.waitForState('RUNNING');

    await client.updateState({ state: greengrasscoreipc.model.ReportedLifecycleState.RUNNING });

    await expect(running).resolves.toBe('RUNNING');
    expect(endpoint.states).toEqual(['RUNNING']);
    await expect(endpoint.waitForOperation('aws.greengrass#UpdateState')).resolves.toEqual({
      operation: 'aws.greengrass#UpdateState',
      request: { state: 'RUNNING' },
    });
  });

  it('returns secrets by name or ARN and reports unknown ones as ResourceNotFoundError', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:EI_API_KEY-a1B2c3';
    const endpoint = await harness.endpoint({
      secrets: { [arn]: { secretString: 'ei_secret', versionId: 'v1' } },
      policy: ALL,
    });
    const client = await harness.connectedClient(endpoint);
    const expected = {
      secretId: arn,
      versionId: 'v1',
      versionStage: ['AWSCURRENT'],
      secretValue: { secretString: 'ei_secret' },
    };

    await expect(client.getSecretValue({ secretId: 'EI_API_KEY' })).resolves.toEqual(expected);
    await expect(client.getSecretValue({ secretId: arn, versionStage: 'AWSCURRENT' })).resolves.toEqual(expected);

    expect(await serviceErrorOf(client.getSecretValue({ secretId: 'OTHER' }))).toEqual({
      _service: 'aws.greengrass#GreengrassCoreIPC',
      _errorCode: 'ResourceNotFoundError',
      _message: 'Secret not found OTHER',
      message: 'Secret not found OTHER',
      resourceType: 'secret',
    });
    expect(
      await serviceErrorOf(client.getSecretValue({ secretId: 'EI_API_KEY', versionStage: 'AWSPREVIOUS' })),
    ).toMatchObject({ _errorCode: 'ResourceNotFoundError' });
  });

  it('returns a binary secret as bytes', async () => {
    const endpoint = await harness.endpoint({
      secrets: { CERT: { secretBinary: Buffer.from([1, 2, 3]) } },
      policy: ALL,
    });
    const client = await harness.connectedClient(endpoint);

    const { secretId, secretValue } = await client.getSecretValue({ secretId: 'CERT' });

    expect(secretId).toMatch(/^arn:aws:secretsmanager:[^:]+:\d{12}:secret:CERT-\w{6}$/);
    expect(Buffer.from(secretValue?.secretBinary as Buffer)).toEqual(Buffer.from([1, 2, 3]));
  });

  it('enforces the recipe accessControl like the nucleus, {iot:thingName} interpolated when asked', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:EI_API_KEY-a1B2c3';
    const endpoint = await harness.endpoint({
      componentName: 'com.example.Tested',
      thingName: 'dev-1',
      interpolateComponentConfiguration: true,
      secrets: { [arn]: 'ei_secret', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:OTHER-zzzzzz': 'x' },
      policy: {
        'aws.greengrass.ipc.mqttproxy': {
          'com.example.Tested:mqttproxy:1': {
            policyDescription: 'this device only',
            operations: ['aws.greengrass#PublishToIoTCore', 'aws.greengrass#SubscribeToIoTCore'],
            resources: ['{iot:thingName}/status', '{iot:thingName}/commands/+'],
          },
        },
        'aws.greengrass.SecretManager': {
          'com.example.Tested:secrets:1': {
            operations: ['aws.greengrass#GetSecretValue'],
            resources: ['arn:aws:secretsmanager:*:*:secret:EI_API_KEY-*'],
          },
        },
      },
    });
    const client = await harness.connectedClient(endpoint);

    await expect(client.publishToIoTCore({ topicName: 'dev-1/status', qos: QOS1, payload: 'x' })).resolves.toEqual({});
    expect(
      await serviceErrorOf(client.publishToIoTCore({ topicName: 'dev-2/status', qos: QOS1, payload: 'x' })),
    ).toEqual({
      _service: 'aws.greengrass#GreengrassCoreIPC',
      _errorCode: 'UnauthorizedError',
      _message: 'Not Authorized',
      message: 'Not Authorized',
    });
    expect(endpoint.published.map((message) => message.topic)).toEqual(['dev-1/status']);

    await expect(client.subscribeToIoTCore({ topicName: 'dev-1/commands/+', qos: QOS1 }).activate()).resolves.toEqual(
      {},
    );
    const tooWide = client.subscribeToIoTCore({ topicName: 'dev-1/commands/#', qos: QOS1 });
    expect(await serviceErrorOf(tooWide.activate())).toMatchObject({
      _errorCode: 'UnauthorizedError',
      message: 'Not Authorized',
    });

    await expect(client.getSecretValue({ secretId: 'EI_API_KEY' })).resolves.toMatchObject({
      secretValue: { secretString: 'ei_secret' },
    });
    expect(await serviceErrorOf(client.getSecretValue({ secretId: 'OTHER' }))).toMatchObject({
      _errorCode: 'UnauthorizedError',
      message:
        'Principal com.example.Tested is not authorized to perform aws.greengrass.SecretManager:' +
        'aws.greengrass#GetSecretValue on resource arn:aws:secretsmanager:eu-west-1:111122223333:secret:OTHER-zzzzzz',
    });
  });

  it('serves a component running in a child process, given endpoint.env', async () => {
    const endpoint = await harness.endpoint({ configuration: { topic: 'dev-1/hello' }, policy: ALL });
    const component = `
      const { greengrasscoreipc } = require(${JSON.stringify(require.resolve('aws-iot-device-sdk-v2'))});
      (async () => {
        const client = greengrasscoreipc.createClient();
        await client.connect();
        const { value } = await client.getConfiguration({ keyPath: ['topic'] });
        await client.publishToIoTCore({ topicName: value.topic, qos: '1', payload: 'from child' });
        await client.updateState({ state: 'RUNNING' });
        await client.close();
      })().catch((error) => { console.error(error); process.exit(1); });`;
    const child = spawn(process.execPath, ['-e', component], {
      env: { ...process.env, ...endpoint.env },
      stdio: 'inherit',
    });
    const exitCode = new Promise((resolve) => child.once('exit', resolve));

    await expect(endpoint.waitForState('RUNNING')).resolves.toBe('RUNNING');
    expect(endpoint.published[0]).toMatchObject({ topic: 'dev-1/hello', payload: Buffer.from('from child') });
    await expect(exitCode).resolves.toBe(0);
  });

  it('rejects a client whose SVCUID is wrong', async () => {
    const endpoint = await harness.endpoint({ svcuid: 'right-token' });
    const client = harness.client({ ...endpoint.env, SVCUID: 'wrong-token' });

    const failure = await client.connect().catch((error: unknown) => error);

    // Like the nucleus, the endpoint answers ConnectAck without the accepted flag and then closes, so
    // the client reports whichever it notices first: the refused ack or the closed connection.
    expect(failure).toBeInstanceOf(eventstream_rpc.RpcError);
    expect([eventstream_rpc.RpcErrorType.HandshakeError, eventstream_rpc.RpcErrorType.NetworkError]).toContain(
      (failure as eventstream_rpc.RpcError).type,
    );
    expect(endpoint.connectionCount).toBe(0);
    const good = await harness.connectedClient(endpoint);
    await expect(good.updateState({ state: greengrasscoreipc.model.ReportedLifecycleState.RUNNING })).resolves.toEqual(
      {},
    );
  });

  it('drops connections on demand; the client sees a disconnection and a new client can connect', async () => {
    const endpoint = await harness.endpoint({ policy: ALL });
    const client = await harness.connectedClient(endpoint);
    const subscription = client.subscribeToIoTCore({ topicName: 'a/b', qos: QOS1 });
    await subscription.activate();
    const disconnected = new Promise((resolve) => client.on('disconnection', resolve));
    expect(endpoint.connectionCount).toBe(1);

    await endpoint.dropConnections();

    await expect(disconnected).resolves.toBeDefined();
    expect(endpoint.connectionCount).toBe(0);
    expect((endpoint.iotCore as InMemoryIotCore).subscribedFilters()).toEqual([]);
    const again = await harness.connectedClient(endpoint);
    await endpoint.waitForConnections(1);
    await expect(again.publishToIoTCore({ topicName: 'a/b', qos: QOS1, payload: 'after' })).resolves.toEqual({});
    expect((await endpoint.waitForPublish('a/b')).payload.toString()).toBe('after');
  });

  it('routes local pub/sub between the component and the test', async () => {
    const endpoint = await harness.endpoint({ policy: ALL });
    const client = await harness.connectedClient(endpoint);
    const subscription = client.subscribeToTopic({ topic: 'local/+/events' });
    const received: SubscriptionResponseMessage[] = [];
    subscription.on('message', (message) => received.push(message));
    await subscription.activate();

    endpoint.publishToTopic('local/test/events', { hello: 'component' });
    // A wildcard subscription does not receive the component's own messages by default.
    await client.publishToTopic({ topic: 'local/own/events', publishMessage: { binaryMessage: { message: 'own' } } });
    endpoint.publishToTopic('local/bin/events', Buffer.from('bytes'));

    await waitUntil(() => received.length === 2);
    expect(received[0]).toEqual({
      jsonMessage: { message: { hello: 'component' }, context: { topic: 'local/test/events' } },
    });
    expect(received[1].binaryMessage?.context).toEqual({ topic: 'local/bin/events' });
    expect(Buffer.from(received[1].binaryMessage?.message as Buffer).toString()).toBe('bytes');
  });

  it('answers an operation it does not serve with ServiceError', async () => {
    const endpoint = await harness.endpoint();
    const client = await harness.connectedClient(endpoint);

    expect(await serviceErrorOf(client.listComponents({}))).toMatchObject({
      _errorCode: 'ServiceError',
      message: 'Operation aws.greengrass#ListComponents is not supported by the testbench IPC endpoint',
    });
  });
});
