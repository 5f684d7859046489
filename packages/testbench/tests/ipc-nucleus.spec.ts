/**
 * The endpoint as strict as the nucleus it plays: the Java nucleus (2.18, the default) or Greengrass Nucleus
 * Lite 2.6, with the real greengrasscoreipc client, and its token exchange service with the AWS SDK's real HTTP
 * credential provider.
 */
import { request } from 'node:http';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { eventstream_rpc, greengrasscoreipc } from 'aws-iot-device-sdk-v2';
import { IpcService, type AccessControl } from '../src/ipc';
import { IpcHarness, nextMessage, serviceErrorOf } from './ipc-test-harness';

type ConfigurationUpdateEvents = greengrasscoreipc.model.ConfigurationUpdateEvents;

const QOS1 = greengrasscoreipc.model.QOS.AT_LEAST_ONCE;
const COMPONENT = 'com.example.Tested';
const LITE_UNSUPPORTED = { _message: '', _errorCode: 'ServiceError' };

function grant(service: string, operations: string[], resources: string[]): AccessControl {
  return { [service]: { [`${COMPONENT}:1`]: { operations, resources } } };
}

describe('IpcEndpoint as strict as the nucleus', () => {
  const harness = new IpcHarness();
  afterEach(() => harness.dispose());

  it('a component without a policy may read its configuration and report its state, nothing else', async () => {
    const endpoint = await harness.endpoint({
      configuration: { a: 1 },
      thingName: 'dev-1',
      secrets: { EI_API_KEY: 'ei_secret' },
    });
    const client = await harness.connectedClient(endpoint);

    expect(await serviceErrorOf(client.publishToIoTCore({ topicName: 'a/b', qos: QOS1, payload: 'x' }))).toMatchObject({
      _errorCode: 'UnauthorizedError',
      message: 'Not Authorized',
    });
    expect(await serviceErrorOf(client.subscribeToIoTCore({ topicName: 'a/b', qos: QOS1 }).activate())).toMatchObject({
      _errorCode: 'UnauthorizedError',
    });
    expect(
      await serviceErrorOf(
        client.publishToTopic({ topic: 'local/x', publishMessage: { jsonMessage: { message: {} } } }),
      ),
    ).toMatchObject({
      _errorCode: 'UnauthorizedError',
      message: `Principal ${COMPONENT} is not authorized to perform aws.greengrass.ipc.pubsub:aws.greengrass#PublishToTopic on resource local/x`,
    });
    expect(await serviceErrorOf(client.subscribeToTopic({ topic: 'local/x' }).activate())).toMatchObject({
      _errorCode: 'UnauthorizedError',
    });
    expect(await serviceErrorOf(client.getSecretValue({ secretId: 'EI_API_KEY' }))).toMatchObject({
      _errorCode: 'UnauthorizedError',
    });
    expect(await serviceErrorOf(client.getThingShadow({ thingName: 'dev-1', shadowName: 'x' }))).toMatchObject({
      _errorCode: 'UnauthorizedError',
    });

    await expect(client.getConfiguration({ keyPath: ['a'] })).resolves.toMatchObject({ value: { a: 1 } });
    await client.updateState({ state: greengrasscoreipc.model.ReportedLifecycleState.RUNNING });
    expect(endpoint.states).toEqual(['RUNNING']);
    expect(endpoint.published).toEqual([]);
  });

  it("takes the policy from the configuration's accessControl and follows a deployment that changes it", async () => {
    const publish = 'aws.greengrass#PublishToTopic';
    const endpoint = await harness.endpoint({
      configuration: { Parameters: {}, accessControl: grant(IpcService.PubSub, [publish], ['old/*']) },
    });
    const client = await harness.connectedClient(endpoint);
    const publishOn = (topic: string) =>
      client.publishToTopic({ topic, publishMessage: { jsonMessage: { message: {} } } });

    await expect(publishOn('old/x')).resolves.toEqual({});
    expect(await serviceErrorOf(publishOn('new/x'))).toMatchObject({ _errorCode: 'UnauthorizedError' });

    endpoint.updateConfiguration({ Parameters: {}, accessControl: grant(IpcService.PubSub, [publish], ['new/*']) });

    await expect(publishOn('new/x')).resolves.toEqual({});
    expect(await serviceErrorOf(publishOn('old/x'))).toMatchObject({ _errorCode: 'UnauthorizedError' });
  });

  it('PublishToTopic authorizes first: an unauthorized wildcard topic is UnauthorizedError, not InvalidArguments', async () => {
    const endpoint = await harness.endpoint({
      policy: grant(IpcService.PubSub, ['aws.greengrass#PublishToTopic'], ['local/*']),
    });
    const client = await harness.connectedClient(endpoint);
    const publishOn = (topic: string) =>
      client.publishToTopic({ topic, publishMessage: { jsonMessage: { message: {} } } });

    expect(await serviceErrorOf(publishOn('other/+'))).toMatchObject({ _errorCode: 'UnauthorizedError' });
    // Authorized, then refused for the wildcard: InvalidArgumentsError, which PublishToTopic's model in the
    // JavaScript client does not list, so the client surfaces it as an unexpected response shape.
    for (const topic of ['local/+', 'local/*']) {
      const error = (await publishOn(topic).catch((rejection: unknown) => rejection)) as eventstream_rpc.RpcError;
      expect(error).toBeInstanceOf(eventstream_rpc.RpcError);
      expect(error.type).toBe(eventstream_rpc.RpcErrorType.InternalError);
    }
    expect(endpoint.operations).toEqual([]);
  });

  it('finds configuration keys and the component whatever their case, named as stored (Java nucleus)', async () => {
    const endpoint = await harness.endpoint({ configuration: { Model: { Threshold: 0.6 }, other: 1 } });
    const client = await harness.connectedClient(endpoint);

    await expect(client.getConfiguration({ keyPath: ['model', 'threshold'] })).resolves.toEqual({
      componentName: COMPONENT,
      value: { Threshold: 0.6 },
    });
    await expect(client.getConfiguration({ componentName: 'COM.example.tested', keyPath: ['MODEL'] })).resolves.toEqual(
      { componentName: 'COM.example.tested', value: { Threshold: 0.6 } },
    );

    const updates = client.subscribeToConfigurationUpdate({ keyPath: ['model'] });
    const event = nextMessage<ConfigurationUpdateEvents>(updates);
    await updates.activate();
    // A deployment writing the key in another case updates the stored key; it keeps its name.
    expect(endpoint.updateConfiguration({ MODEL: { threshold: 0.8 }, other: 1 })).toEqual([['Model', 'Threshold']]);
    expect((await event).configurationUpdateEvent?.keyPath).toEqual(['Model', 'Threshold']);
    expect(endpoint.configuration).toEqual({ Model: { Threshold: 0.8 }, other: 1 });
  });

  it('on Nucleus Lite compares configuration keys exactly, with its own "Key not found."', async () => {
    const endpoint = await harness.endpoint({ nucleus: 'lite', configuration: { Model: { Threshold: 0.6 } } });
    const client = await harness.connectedClient(endpoint);

    await expect(client.getConfiguration({ keyPath: ['Model', 'Threshold'] })).resolves.toMatchObject({
      value: { Threshold: 0.6 },
    });
    expect(await serviceErrorOf(client.getConfiguration({ keyPath: ['model'] }))).toEqual({
      _message: 'Key not found.',
      _errorCode: 'ResourceNotFoundError',
    });
  });

  it('substitutes {iot:thingName} in configuration and policy only with interpolateComponentConfiguration', async () => {
    const options = {
      thingName: 'dev-1',
      configuration: { Parameters: { topic: '{iot:thingName}/status' } },
      policy: grant(IpcService.MqttProxy, ['aws.greengrass#PublishToIoTCore'], ['{iot:thingName}/status']),
    };
    const plain = await harness.endpoint(options);
    const interpolating = await harness.endpoint({ ...options, interpolateComponentConfiguration: true });
    const plainClient = await harness.connectedClient(plain);
    const interpolatingClient = await harness.connectedClient(interpolating);
    const publish = (client: typeof plainClient) =>
      client.publishToIoTCore({ topicName: 'dev-1/status', qos: QOS1, payload: 'x' });

    await expect(plainClient.getConfiguration({ keyPath: ['Parameters', 'topic'] })).resolves.toMatchObject({
      value: { topic: '{iot:thingName}/status' },
    });
    expect(await serviceErrorOf(publish(plainClient))).toMatchObject({ _errorCode: 'UnauthorizedError' });

    await expect(interpolatingClient.getConfiguration({ keyPath: ['Parameters', 'topic'] })).resolves.toMatchObject({
      value: { topic: 'dev-1/status' },
    });
    await expect(publish(interpolatingClient)).resolves.toEqual({});
  });

  it('on Nucleus Lite answers GetSecretValue as an operation it lacks and words errors as Lite', async () => {
    const endpoint = await harness.endpoint({
      nucleus: 'lite',
      thingName: 'dev-1',
      interpolateComponentConfiguration: true, // no such option on Lite 2.6: ignored
      secrets: { EI_API_KEY: 'ei_secret' },
      policy: {
        ...grant(IpcService.SecretManager, ['*'], ['*']),
        ...grant(IpcService.MqttProxy, ['aws.greengrass#PublishToIoTCore'], ['{iot:thingName}/status', 'ok/#']),
      },
    });
    const client = await harness.connectedClient(endpoint);

    expect(await serviceErrorOf(client.getSecretValue({ secretId: 'EI_API_KEY' }))).toEqual(LITE_UNSUPPORTED);
    expect(await serviceErrorOf(client.listComponents({}))).toEqual(LITE_UNSUPPORTED);
    expect(
      await serviceErrorOf(client.publishToIoTCore({ topicName: 'dev-1/status', qos: QOS1, payload: 'x' })),
    ).toEqual({ _message: 'IPC Operation not authorized.', _errorCode: 'UnauthorizedError' });
    await expect(client.publishToIoTCore({ topicName: 'ok/x', qos: QOS1, payload: 'x' })).resolves.toEqual({});
  });

  it('gives the component the environment both nuclei give, with the region passed in', async () => {
    const endpoint = await harness.endpoint({
      thingName: 'dev-1',
      region: 'eu-west-1',
      rootCaPath: '/greengrass/v2/AmazonRootCA1.pem',
      policy: grant(IpcService.SecretManager, ['*'], ['*']),
      secrets: { EI_API_KEY: 'x' },
    });

    expect(endpoint.env).toEqual({
      AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT: endpoint.socketPath,
      SVCUID: endpoint.svcuid,
      AWS_IOT_THING_NAME: 'dev-1',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      GG_ROOT_CA_PATH: '/greengrass/v2/AmazonRootCA1.pem',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: expect.stringMatching(
        /^http:\/\/127\.0\.0\.1:\d+\/2016-11-01\/credentialprovider\/$/,
      ),
      AWS_CONTAINER_AUTHORIZATION_TOKEN: endpoint.svcuid,
    });
    // Secret ARNs made up for secrets given by name are in that region too.
    const client = await harness.connectedClient(endpoint);
    await expect(client.getSecretValue({ secretId: 'EI_API_KEY' })).resolves.toMatchObject({
      secretId: expect.stringMatching(/^arn:aws:secretsmanager:eu-west-1:/),
    });
  });

  it("serves the token exchange service's credentials to the AWS SDK's HTTP provider, for the component's token only", async () => {
    const endpoint = await harness.endpoint();
    const { AWS_CONTAINER_CREDENTIALS_FULL_URI: uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: token } = endpoint.env;

    const credentials = await fromHttp({
      awsContainerCredentialsFullUri: uri,
      awsContainerAuthorizationToken: token,
    })();
    expect(credentials).toMatchObject({
      accessKeyId: endpoint.tokenExchange.credentials.accessKeyId,
      secretAccessKey: endpoint.tokenExchange.credentials.secretAccessKey,
      sessionToken: endpoint.tokenExchange.credentials.sessionToken,
      expiration: expect.any(Date),
    });
    expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now());

    const refused = fromHttp({
      awsContainerCredentialsFullUri: uri,
      awsContainerAuthorizationToken: 'not-the-svcuid',
      maxRetries: 0,
    })();
    await expect(refused).rejects.toThrow('Server responded with status: 403');
    expect(await statusOf(uri, 'POST', token)).toBe(405);
    expect(await statusOf(uri.replace('credentialprovider/', 'other'), 'GET', token)).toBe(400);
    expect(endpoint.tokenExchange.requests.map(({ authorization, status }) => [authorization, status])).toEqual([
      [token, 200],
      ['not-the-svcuid', 403],
      [token, 405],
      [token, 400],
    ]);
  });
});

function statusOf(url: string, method: string, authorization: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { Authorization: authorization }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}
