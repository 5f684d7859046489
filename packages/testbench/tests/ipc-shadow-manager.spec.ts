import { greengrasscoreipc } from 'aws-iot-device-sdk-v2';
import { allowAllPolicy, type IpcEndpoint } from '../src/ipc';
import { IpcHarness, serviceErrorOf, waitUntil, type IpcClient } from './ipc-test-harness';

type SubscriptionResponseMessage = greengrasscoreipc.model.SubscriptionResponseMessage;

const THING = 'dev-1';
const PREFIX = '$aws/things/dev-1/shadow/name/config';
/** Shadow timestamps: epoch seconds. */
const SECONDS = expect.any(Number);

interface Received {
  topic: string;
  /** How the message came: ShadowManager publishes JSON bytes, so always 'binary'. */
  encoding: 'binary' | 'json';
  message: Record<string, unknown>;
}

function parsed(payload: unknown): Record<string, unknown> {
  return JSON.parse(Buffer.from(payload as Buffer).toString('utf8')) as Record<string, unknown>;
}

/** Subscribes like a component. */
async function subscribe(client: IpcClient, topic: string): Promise<Received[]> {
  const received: Received[] = [];
  const subscription = client.subscribeToTopic({ topic });
  subscription.on('message', ({ binaryMessage, jsonMessage }: SubscriptionResponseMessage) => {
    received.push(
      binaryMessage === undefined
        ? {
            topic: jsonMessage?.context?.topic ?? '',
            encoding: 'json',
            message: jsonMessage?.message as Record<string, unknown>,
          }
        : { topic: binaryMessage.context?.topic ?? '', encoding: 'binary', message: parsed(binaryMessage.message) },
    );
  });
  await subscription.activate();
  return received;
}

async function update(client: IpcClient, document: object, shadowName = 'config'): Promise<Record<string, unknown>> {
  const { payload } = await client.updateThingShadow({
    thingName: THING,
    shadowName,
    payload: JSON.stringify(document),
  });
  return parsed(payload);
}

describe('IpcEndpoint as aws.greengrass.ShadowManager, with the real greengrasscoreipc client', () => {
  const harness = new IpcHarness();
  let endpoint: IpcEndpoint;
  let client: IpcClient;
  afterEach(() => harness.dispose());

  async function start(options: Parameters<IpcHarness['endpoint']>[0] = {}): Promise<void> {
    endpoint = await harness.endpoint({ thingName: THING, policy: allowAllPolicy('com.example.Tested'), ...options });
    client = await harness.connectedClient(endpoint);
  }

  it('fails GetThingShadow of a missing shadow with ResourceNotFoundError and publishes get/rejected', async () => {
    await start();
    const rejected = await subscribe(client, `${PREFIX}/get/rejected`);

    expect(await serviceErrorOf(client.getThingShadow({ thingName: THING, shadowName: 'config' }))).toMatchObject({
      _errorCode: 'ResourceNotFoundError',
      message: 'No shadow found',
      resourceType: 'shadow',
    });
    await waitUntil(() => rejected.length === 1);
    expect(rejected[0].message).toEqual({
      code: 404,
      message: 'No shadow exists with name: config',
      timestamp: SECONDS,
    });
  });

  it('answers UpdateThingShadow with the accepted document and GetThingShadow with the merged one', async () => {
    await start();

    const accepted = await update(client, {
      state: { reported: { intervalMs: 1000, model: { threshold: 0.6 } } },
      clientToken: 't1',
    });
    expect(accepted).toEqual({
      state: { reported: { intervalMs: 1000, model: { threshold: 0.6 } } },
      metadata: { reported: { intervalMs: { timestamp: SECONDS }, model: { threshold: { timestamp: SECONDS } } } },
      version: 1,
      timestamp: SECONDS,
      clientToken: 't1',
    });
    await update(client, { state: { reported: { model: { labels: ['a', 'b'] } } } });

    const response = await client.getThingShadow({ thingName: THING, shadowName: 'config' });
    expect(Object.keys(response)).toEqual(['payload']);
    expect(parsed(response.payload)).toEqual({
      state: { reported: { intervalMs: 1000, model: { threshold: 0.6, labels: ['a', 'b'] } } },
      metadata: {
        reported: expect.objectContaining({
          model: expect.objectContaining({ labels: [{ timestamp: SECONDS }, { timestamp: SECONDS }] }),
        }),
      },
      version: 2,
      timestamp: SECONDS,
    });
    expect(endpoint.shadows.get(THING, 'config')?.state.reported).toEqual({
      intervalMs: 1000,
      model: { threshold: 0.6, labels: ['a', 'b'] },
    });
    // The classic shadow (no or empty shadowName) is another shadow.
    expect(await serviceErrorOf(client.getThingShadow({ thingName: THING }))).toMatchObject({
      _errorCode: 'ResourceNotFoundError',
    });
  });

  it('publishes update/documents and update/accepted but no delta for a reported-only update', async () => {
    await start();
    const messages = await subscribe(client, `${PREFIX}/update/#`);

    await update(client, { state: { reported: { intervalMs: 1000 } } });
    await update(client, { state: { reported: { intervalMs: 2000 } }, clientToken: 't2' });

    await waitUntil(() => messages.length === 4);
    expect(messages.every((received) => received.encoding === 'binary')).toBe(true);
    expect(messages.map((received) => received.topic)).toEqual([
      `${PREFIX}/update/documents`,
      `${PREFIX}/update/accepted`,
      `${PREFIX}/update/documents`,
      `${PREFIX}/update/accepted`,
    ]);
    expect(messages[0].message).toEqual({
      previous: null,
      current: {
        state: { reported: { intervalMs: 1000 } },
        metadata: { reported: { intervalMs: { timestamp: SECONDS } } },
        version: 1,
      },
      timestamp: SECONDS,
    });
    expect(messages[2].message).toMatchObject({
      previous: { state: { reported: { intervalMs: 1000 } }, version: 1 },
      current: { state: { reported: { intervalMs: 2000 } }, version: 2 },
      clientToken: 't2',
    });
    expect(messages[3].message).toMatchObject({
      state: { reported: { intervalMs: 2000 } },
      version: 2,
      clientToken: 't2',
    });
  });

  it('sends the delta to a SubscribeToTopic subscriber when desired (set by the cloud) differs from reported', async () => {
    await start();
    await update(client, { state: { reported: { intervalMs: 1000, mode: 'fast' } } });
    const deltas = await subscribe(client, `${PREFIX}/update/delta`);

    endpoint.shadows.setDesired(THING, 'config', { intervalMs: 500, mode: 'fast' });

    await waitUntil(() => deltas.length === 1);
    expect(deltas[0]).toEqual({
      topic: `${PREFIX}/update/delta`,
      encoding: 'binary',
      message: {
        state: { intervalMs: 500 },
        metadata: { intervalMs: { timestamp: SECONDS } },
        version: 2,
        timestamp: SECONDS,
      },
    });
    const { payload } = await client.getThingShadow({ thingName: THING, shadowName: 'config' });
    expect(parsed(payload).state).toEqual({
      desired: { intervalMs: 500, mode: 'fast' },
      reported: { intervalMs: 1000, mode: 'fast' },
      delta: { intervalMs: 500 },
    });

    // Reporting the desired value leaves no delta, so nothing is published on /delta.
    await update(client, { state: { reported: { intervalMs: 500 } } });
    // ShadowManager publishes the delta after any update that leaves one, a reported-only one too.
    await update(client, { state: { reported: { intervalMs: 750 } } });
    await waitUntil(() => deltas.length === 2);
    expect(deltas.map((received) => received.message.version)).toEqual([2, 4]);
    expect(deltas[1].message.state).toEqual({ intervalMs: 500 });
  });

  it('deletes a key with null and the whole of desired with "desired": null', async () => {
    await start();
    await update(client, { state: { desired: { a: 1, b: { c: 2, d: 3 } }, reported: { a: 1 } } });

    await update(client, { state: { desired: { a: null, b: { c: null } } } });
    expect(endpoint.shadows.get(THING, 'config')?.state).toEqual({
      desired: { b: { d: 3 } },
      reported: { a: 1 },
      delta: { b: { d: 3 } },
    });

    const accepted = await update(client, { state: { desired: null } });
    expect(accepted).toMatchObject({
      state: { desired: null },
      metadata: { desired: { timestamp: SECONDS } },
      version: 3,
    });
    const { payload } = await client.getThingShadow({ thingName: THING, shadowName: 'config' });
    expect(parsed(payload)).toMatchObject({
      state: { reported: { a: 1 } },
      metadata: { reported: { a: expect.any(Object) } },
      version: 3,
    });
    expect(parsed(payload).state).not.toHaveProperty('desired');
  });

  it('rejects a version that is not the current one with ConflictError and on update/rejected', async () => {
    await start();
    await update(client, { state: { reported: { a: 1 } } });
    await update(client, { state: { reported: { a: 2 } } });
    const rejected = await subscribe(client, `${PREFIX}/update/rejected`);

    for (const version of [1, 3]) {
      const conflict = client.updateThingShadow({
        thingName: THING,
        shadowName: 'config',
        payload: JSON.stringify({ state: { reported: { a: 3 } }, version, clientToken: `v${version}` }),
      });
      expect(await serviceErrorOf(conflict)).toMatchObject({
        _errorCode: 'ConflictError',
        message: 'Version conflict',
      });
    }
    await waitUntil(() => rejected.length === 2);
    expect(rejected[0].message).toEqual({
      code: 409,
      message: 'Version conflict',
      timestamp: SECONDS,
      clientToken: 'v1',
    });

    await expect(update(client, { state: { reported: { a: 3 } }, version: 2 })).resolves.toMatchObject({ version: 3 });
    expect(endpoint.shadows.get(THING, 'config')?.state.reported).toEqual({ a: 3 });
  });

  it('fails invalid JSON and a document without state with InvalidArgumentsError', async () => {
    await start();
    const invalid = (payload: string) => client.updateThingShadow({ thingName: THING, shadowName: 'config', payload });

    expect(await serviceErrorOf(invalid('{"state":'))).toMatchObject({
      _errorCode: 'InvalidArgumentsError',
      message: expect.stringMatching(/^Invalid JSON/),
    });
    expect(await serviceErrorOf(invalid('{"reported":{"a":1}}'))).toMatchObject({
      _errorCode: 'InvalidArgumentsError',
    });
    expect(await serviceErrorOf(invalid('{"state":{"desired":5}}'))).toMatchObject({
      _errorCode: 'InvalidArgumentsError',
    });
    expect(await serviceErrorOf(client.getThingShadow({ thingName: '' }))).toMatchObject({
      _errorCode: 'InvalidArgumentsError',
      message: 'ThingName is missing',
    });
    expect(endpoint.shadows.get(THING, 'config')).toBeUndefined();
  });

  it('deletes a shadow: empty payload, delete/accepted with the deleted version', async () => {
    await start();
    await update(client, { state: { reported: { a: 1 } } });
    const accepted = await subscribe(client, `${PREFIX}/delete/accepted`);

    const { payload } = await client.deleteThingShadow({ thingName: THING, shadowName: 'config' });

    expect(Buffer.from(payload as Buffer).length).toBe(0);
    await waitUntil(() => accepted.length === 1);
    expect(accepted[0].message).toEqual({ version: 1, timestamp: SECONDS });
    expect(await serviceErrorOf(client.getThingShadow({ thingName: THING, shadowName: 'config' }))).toMatchObject({
      _errorCode: 'ResourceNotFoundError',
    });
    expect(await serviceErrorOf(client.deleteThingShadow({ thingName: THING, shadowName: 'config' }))).toMatchObject({
      _errorCode: 'ResourceNotFoundError',
      message: 'No shadow found',
    });
  });

  it('authorizes against aws.greengrass.ShadowManager on the shadow topic prefix, with {iot:thingName}', async () => {
    await start({
      componentName: 'com.example.Tested',
      interpolateComponentConfiguration: true,
      policy: {
        'aws.greengrass.ShadowManager': {
          'com.example.Tested:shadow:1': {
            operations: ['aws.greengrass#GetThingShadow', 'aws.greengrass#UpdateThingShadow'],
            resources: ['$aws/things/{iot:thingName}/shadow/name/config'],
          },
        },
        'aws.greengrass.ipc.pubsub': {
          'com.example.Tested:pubsub:1': {
            operations: ['aws.greengrass#SubscribeToTopic'],
            resources: ['$aws/things/{iot:thingName}/shadow/*'],
          },
        },
      },
    });
    const rejected = await subscribe(client, `${PREFIX.replace('config', 'other')}/update/rejected`);

    await expect(update(client, { state: { reported: { a: 1 } } })).resolves.toMatchObject({ version: 1 });
    await expect(client.getThingShadow({ thingName: THING, shadowName: 'config' })).resolves.toHaveProperty('payload');

    expect(
      await serviceErrorOf(
        client.updateThingShadow({ thingName: THING, shadowName: 'other', payload: '{"state":{"reported":{}}}' }),
      ),
    ).toEqual({
      _service: 'aws.greengrass#GreengrassCoreIPC',
      _errorCode: 'UnauthorizedError',
      _message: expect.any(String),
      message:
        'Principal com.example.Tested is not authorized to perform aws.greengrass.ShadowManager:' +
        'aws.greengrass#UpdateThingShadow on resource $aws/things/dev-1/shadow/name/other',
    });
    await waitUntil(() => rejected.length === 1);
    expect(rejected[0].message).toEqual({ code: 401, message: 'Unauthorized', timestamp: SECONDS });

    expect(await serviceErrorOf(client.getThingShadow({ thingName: 'dev-2', shadowName: 'config' }))).toMatchObject({
      _errorCode: 'UnauthorizedError',
      message: expect.stringContaining(
        'aws.greengrass#GetThingShadow on resource $aws/things/dev-2/shadow/name/config',
      ),
    });
    expect(await serviceErrorOf(client.getThingShadow({ thingName: THING }))).toMatchObject({
      _errorCode: 'UnauthorizedError',
      message: expect.stringContaining('on resource $aws/things/dev-1/shadow'),
    });
    expect(await serviceErrorOf(client.deleteThingShadow({ thingName: THING, shadowName: 'config' }))).toMatchObject({
      _errorCode: 'UnauthorizedError',
    });
    expect(endpoint.shadows.get(THING, 'other')).toBeUndefined();
    expect(endpoint.shadows.get(THING, 'config')?.version).toBe(1);
  });

  it('denies shadow access granted with {iot:thingName} on a nucleus that does not interpolate (the default)', async () => {
    await start({
      policy: {
        'aws.greengrass.ShadowManager': {
          'com.example.Tested:shadow:1': {
            operations: ['aws.greengrass#GetThingShadow', 'aws.greengrass#UpdateThingShadow'],
            resources: ['$aws/things/{iot:thingName}/shadow/name/edgeimpulse*'],
          },
          'com.example.Tested:shadow:2': {
            operations: ['aws.greengrass#GetThingShadow'],
            resources: ['$aws/things/*/shadow/name/edgeimpulse*'],
          },
        },
      },
    });

    expect(
      await serviceErrorOf(
        client.updateThingShadow({ thingName: THING, shadowName: 'edgeimpulse', payload: '{"state":{"reported":{}}}' }),
      ),
    ).toMatchObject({
      _errorCode: 'UnauthorizedError',
      message: expect.stringContaining(
        'aws.greengrass#UpdateThingShadow on resource $aws/things/dev-1/shadow/name/edgeimpulse',
      ),
    });
    // The same shadow through a resource without the variable: allowed, and absent.
    expect(await serviceErrorOf(client.getThingShadow({ thingName: THING, shadowName: 'edgeimpulse' }))).toMatchObject({
      _errorCode: 'ResourceNotFoundError',
    });
  });

  it('on Nucleus Lite, answers every shadow operation as an operation Lite does not have', async () => {
    await start({ nucleus: 'lite' });
    const lite = { _errorCode: 'ServiceError', _message: '' };

    expect(await serviceErrorOf(client.getThingShadow({ thingName: THING, shadowName: 'config' }))).toEqual(lite);
    expect(
      await serviceErrorOf(
        client.updateThingShadow({ thingName: THING, shadowName: 'config', payload: '{"state":{"reported":{}}}' }),
      ),
    ).toEqual(lite);
    expect(await serviceErrorOf(client.deleteThingShadow({ thingName: THING, shadowName: 'config' }))).toEqual(lite);
    expect(await serviceErrorOf(client.listNamedShadowsForThing({ thingName: THING }))).toEqual(lite);
    expect(endpoint.shadows.get(THING, 'config')).toBeUndefined();
  });
});
