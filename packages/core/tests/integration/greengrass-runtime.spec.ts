/**
 * GreengrassRuntime and IpcSecretSource over the real Greengrass IPC wire protocol, against the testbench's
 * local nucleus endpoint.
 */
import { allowAllPolicy, IpcEndpoint, type IpcEndpointOptions } from '@ei-gg/testbench';
import { NucleusUnsupportedError, SecretError, TransportError } from '../../src/errors';
import { GreengrassRuntime, IpcSecretSource, type ConfigurationUpdate } from '../../src/greengrass/greengrass-runtime';
import { IpcConnection } from '../../src/greengrass/ipc-connection';
import { Logger } from '../../src/logging/logger';

const COMPONENT = 'com.example.Detector';
const CONFIGURATION = { thingName: 'dev-1', thresholds: { min: 0.5, max: 0.9 }, intervalMs: 1000 };
const logger = new Logger({ level: 'silent' });

describe('GreengrassRuntime', () => {
  let endpoint: IpcEndpoint;
  let connection: IpcConnection;

  async function start(options: Partial<IpcEndpointOptions> = {}): Promise<GreengrassRuntime> {
    endpoint = await IpcEndpoint.start({ componentName: COMPONENT, configuration: CONFIGURATION, ...options });
    connection = new IpcConnection({
      socketPath: endpoint.socketPath,
      authToken: endpoint.svcuid,
      reconnectBaseMs: 50,
      logger,
    });
    await connection.connect();
    return new GreengrassRuntime(connection, { logger });
  }

  afterEach(async () => {
    await connection?.close();
    await endpoint?.close();
  });

  it('reads the whole configuration or the part at a key path', async () => {
    const runtime = await start();
    expect(await runtime.getConfiguration()).toEqual(CONFIGURATION);
    expect(await runtime.getConfiguration(['thresholds'])).toEqual(CONFIGURATION.thresholds);
    // As the nucleus does, a leaf comes back wrapped in an object under its own key.
    expect(await runtime.getConfiguration(['thresholds', 'min'])).toEqual({ min: 0.5 });
    await expect(runtime.getConfiguration(['nope'])).rejects.toThrow(TransportError);
    await expect(runtime.getConfiguration(['nope'])).rejects.toThrow(
      "configuration key path nope not found in this component's configuration",
    );
  });

  it('tells the handler which configuration changed, also after a reconnect, until unsubscribed', async () => {
    const runtime = await start();
    const updates: ConfigurationUpdate[] = [];
    const unsubscribe = await runtime.onConfigurationUpdate([], (update) => updates.push(update));

    endpoint.updateConfiguration({ ...CONFIGURATION, intervalMs: 500 });
    await waitUntil(() => updates.length === 1);
    expect(updates).toEqual([{ componentName: COMPONENT, keyPath: ['intervalMs'] }]);
    expect(await runtime.getConfiguration(['intervalMs'])).toEqual({ intervalMs: 500 });

    await endpoint.dropConnections();
    await waitUntil(() => connection.state === 'disconnected');
    await waitUntil(() => connection.state === 'connected');
    endpoint.updateConfiguration({ ...CONFIGURATION, intervalMs: 250 });
    await waitUntil(() => updates.length === 2);

    await unsubscribe();
    await sleep(50); // the endpoint ends the stream when the client's terminate frame arrives
    endpoint.updateConfiguration({ ...CONFIGURATION, intervalMs: 125 });
    await sleep(50);
    expect(updates).toHaveLength(2);
  });

  it('reports the component state', async () => {
    const runtime = await start();
    await runtime.updateState('RUNNING');
    await runtime.updateState('ERRORED');
    expect(endpoint.states).toEqual(['RUNNING', 'ERRORED']);
  });

  it('fails the shadow operations with NucleusUnsupportedError on Nucleus Lite, from its answer or without asking', async () => {
    const runtime = await start({ nucleus: 'lite', policy: allowAllPolicy(COMPONENT) });
    const answered = await runtime.getThingShadow('dev-1', 'edgeimpulse').catch((error: unknown) => error);
    expect(answered).toBeInstanceOf(NucleusUnsupportedError);
    expect(answered).toMatchObject({
      code: 'NUCLEUS_UNSUPPORTED',
      message: expect.stringContaining('the Greengrass nucleus does not offer GetThingShadow'),
    });
    await expect(runtime.updateThingShadow('dev-1', 'edgeimpulse', { state: {} })).rejects.toThrow(
      NucleusUnsupportedError,
    );

    const told = new GreengrassRuntime(connection, { logger, nucleus: 'lite' });
    const before = endpoint.operations.length;
    await expect(told.getThingShadow('dev-1', 'edgeimpulse')).rejects.toThrow(
      'Greengrass Nucleus Lite has no device shadow over IPC',
    );
    expect(endpoint.operations).toHaveLength(before);
  });
});

describe('IpcSecretSource', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:EI_API_KEY-AbCdEf';
  let endpoint: IpcEndpoint;
  let connection: IpcConnection;

  async function start(options: Partial<IpcEndpointOptions>): Promise<IpcSecretSource> {
    endpoint = await IpcEndpoint.start({
      componentName: COMPONENT,
      secrets: { [SECRET_ARN]: '{"apiKey":"ei_0123"}' },
      policy: allowAllPolicy(COMPONENT),
      ...options,
    });
    connection = new IpcConnection({ socketPath: endpoint.socketPath, authToken: endpoint.svcuid, logger });
    await connection.connect();
    return new IpcSecretSource(connection);
  }

  afterEach(async () => {
    await connection?.close();
    await endpoint?.close();
  });

  it('reads a secret string by name or ARN', async () => {
    const secrets = await start({});
    await expect(secrets.getSecretString('EI_API_KEY')).resolves.toBe('{"apiKey":"ei_0123"}');
    await expect(secrets.getSecretString(SECRET_ARN)).resolves.toBe('{"apiKey":"ei_0123"}');
  });

  it('says SECRET_UNSUPPORTED when the nucleus has no GetSecretValue (Nucleus Lite)', async () => {
    const secrets = await start({ nucleus: 'lite' });
    await expect(secrets.getSecretString('EI_API_KEY')).rejects.toMatchObject({
      code: 'SECRET_UNSUPPORTED',
      message: expect.stringContaining('the Greengrass nucleus does not offer GetSecretValue'),
    });
  });

  it('explains an unknown secret and a secret outside the accessControl policy', async () => {
    const secrets = await start({
      policy: {
        'aws.greengrass.SecretManager': {
          [`${COMPONENT}:secrets:1`]: {
            operations: ['aws.greengrass#GetSecretValue'],
            resources: ['arn:aws:secretsmanager:*:*:secret:OTHER-*'],
          },
        },
      },
    });
    const missing = await secrets.getSecretString('NOPE').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(SecretError);
    expect(missing).toMatchObject({ code: 'SECRET_NOT_FOUND', context: { secretId: 'NOPE' } });
    expect((missing as Error).message).toMatch(/secret "NOPE" .*not found by aws.greengrass.SecretManager/);

    const denied = await secrets.getSecretString('EI_API_KEY').catch((error: unknown) => error);
    expect(denied).toMatchObject({ code: 'SECRET_ACCESS_DENIED', context: { secretId: 'EI_API_KEY' } });
    expect((denied as Error).message).toMatch(
      /secret "EI_API_KEY" denied: the recipe's accessControl must allow aws.greengrass.SecretManager/,
    );
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
