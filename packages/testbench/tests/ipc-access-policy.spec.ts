import { AccessPolicy, allowAllPolicy, IpcService, type AccessControl } from '../src/ipc';

const PUBLISH = 'aws.greengrass#PublishToIoTCore';
const SUBSCRIBE = 'aws.greengrass#SubscribeToIoTCore';
const GET_SECRET = 'aws.greengrass#GetSecretValue';

function mqttPolicy(operations: string[], resources: string[]): AccessPolicy {
  return new AccessPolicy({ [IpcService.MqttProxy]: { 'C:mqttproxy:1': { operations, resources } } }, 'C');
}

describe('AccessPolicy', () => {
  it('allows nothing without an accessControl, and nothing not granted with one', () => {
    expect(new AccessPolicy(undefined, 'C').denial(IpcService.MqttProxy, PUBLISH, 'any/topic')).toBe(
      'Principal C is not authorized to perform aws.greengrass.ipc.mqttproxy:aws.greengrass#PublishToIoTCore on resource any/topic',
    );
    const policy = new AccessPolicy({}, 'C');
    expect(policy.allows(IpcService.MqttProxy, PUBLISH, 'a')).toBe(false);
    expect(policy.denial(IpcService.MqttProxy, PUBLISH, 'a')).toBe(
      'Principal C is not authorized to perform aws.greengrass.ipc.mqttproxy:aws.greengrass#PublishToIoTCore on resource a',
    );
  });

  it('allowAllPolicy grants every operation on every resource of every served service', () => {
    const policy = new AccessPolicy(allowAllPolicy('C'), 'C');
    for (const service of Object.values(IpcService))
      expect(policy.allows(service, 'aws.greengrass#Any', 'x/#')).toBe(true);
  });

  it('grants only the listed operations, or all with *', () => {
    expect(mqttPolicy([PUBLISH], ['a/b']).denial(IpcService.MqttProxy, SUBSCRIBE, 'a/b')).toBeDefined();
    expect(mqttPolicy(['*'], ['a/b']).denial(IpcService.MqttProxy, SUBSCRIBE, 'a/b')).toBeUndefined();
    expect(mqttPolicy([PUBLISH], ['a/b']).denial(IpcService.PubSub, PUBLISH, 'a/b')).toBeDefined();
  });

  it.each([
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a/b/d/c', false],
    ['a/+/c', 'a/+/c', true],
    ['a/+', 'a/#', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['a/#', 'a/#', true],
    ['a/#', 'ab', false],
    ['#', 'x/y', true],
    ['a/*', 'a/b/c', true],
    ['a/*', 'a/#', true],
    ['*', 'x/#', true],
    ['a+/b', 'ab/b', false],
    ['a+/b', 'a+/b', true],
    ['a/${*}', 'a/*', true],
    ['a/${*}', 'a/b', false],
  ])('mqttproxy resource %s covers %s: %s', (resource, topic, allowed) => {
    expect(
      mqttPolicy([PUBLISH, SUBSCRIBE], [resource]).denial(IpcService.MqttProxy, SUBSCRIBE, topic) === undefined,
    ).toBe(allowed);
  });

  it('treats MQTT wildcards literally outside mqttproxy and substitutes {iot:thingName} when given one', () => {
    const accessControl: AccessControl = {
      [IpcService.PubSub]: { 'C:pubsub:1': { operations: ['*'], resources: ['local/+', '{iot:thingName}/*'] } },
    };
    const policy = new AccessPolicy(accessControl, 'C', { thingName: 'dev-1' });
    expect(policy.denial(IpcService.PubSub, 'aws.greengrass#PublishToTopic', 'local/x')).toBeDefined();
    expect(policy.denial(IpcService.PubSub, 'aws.greengrass#PublishToTopic', 'local/+')).toBeUndefined();
    expect(policy.denial(IpcService.PubSub, 'aws.greengrass#PublishToTopic', 'dev-1/a/b')).toBeUndefined();
  });

  it('leaves {iot:thingName} as literal text without a thing name (a nucleus that does not interpolate)', () => {
    const accessControl: AccessControl = {
      [IpcService.PubSub]: { 'C:pubsub:1': { operations: ['*'], resources: ['{iot:thingName}/*'] } },
    };
    const policy = new AccessPolicy(accessControl, 'C');
    expect(policy.allows(IpcService.PubSub, 'aws.greengrass#PublishToTopic', 'dev-1/a')).toBe(false);
    expect(policy.allows(IpcService.PubSub, 'aws.greengrass#PublishToTopic', '{iot:thingName}/a')).toBe(true);
  });

  it('matches secret ARNs with * globs', () => {
    const policy = new AccessPolicy(
      {
        [IpcService.SecretManager]: {
          'C:secrets:1': { operations: [GET_SECRET], resources: ['arn:aws:secretsmanager:*:*:secret:EI_API_KEY-*'] },
        },
      },
      'C',
    );
    expect(
      policy.denial(
        IpcService.SecretManager,
        GET_SECRET,
        'arn:aws:secretsmanager:eu-west-1:111122223333:secret:EI_API_KEY-a1B2c3',
      ),
    ).toBeUndefined();
    expect(
      policy.denial(
        IpcService.SecretManager,
        GET_SECRET,
        'arn:aws:secretsmanager:eu-west-1:111122223333:secret:OTHER-a1B2c3',
      ),
    ).toBeDefined();
  });
});
