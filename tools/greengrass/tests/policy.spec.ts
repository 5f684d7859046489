/**
 * `policy` output: accepted by IAM's policy validation (moto_server runs the same document checks) and by
 * IoT CreatePolicy, and naming only the resources it was given.
 */
import { CreatePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreatePolicyCommand as CreateIotPolicyCommand, IoTClient } from '@aws-sdk/client-iot';
import { startMoto, type Moto } from '@ei-gg/testbench';
import { coreDeviceIotPolicy, tokenExchangeRolePolicy, type PolicyInputs } from '../src/policy/policies';

const INPUTS: PolicyInputs = {
  region: 'eu-west-1',
  accountId: '123456789012',
  artifactBucket: 'acme-gg-artifacts',
  artifactPrefix: 'ei-gg/',
  secretName: 'EI_API_KEY',
  cacheBucket: 'acme-inference-cache',
  deviceName: 'line3',
  roleAlias: 'AcmeTokenExchangeRoleAlias',
};

let moto: Moto;
beforeAll(async () => (moto = await startMoto()));
afterAll(async () => moto?.stop());

it('the token exchange role policy is valid IAM and names only the bucket paths, the secret and the cache', async () => {
  const policy = tokenExchangeRolePolicy(INPUTS);
  const iam = new IAMClient(moto.clientConfig);
  try {
    await iam.send(new CreatePolicyCommand({ PolicyName: 'ei-gg-tes', PolicyDocument: JSON.stringify(policy) }));
  } finally {
    iam.destroy();
  }
  const resources = policy.Statement.flatMap((s) => s.Resource);
  expect(resources).toEqual([
    'arn:aws:s3:::acme-gg-artifacts/ei-gg/EdgeImpulseLinuxServiceComponent/*',
    'arn:aws:s3:::acme-gg-artifacts/ei-gg/EdgeImpulseLinuxRunnerServiceComponent/*',
    'arn:aws:s3:::acme-gg-artifacts/ei-gg/EdgeImpulseSerialRunnerServiceComponent/*',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:EI_API_KEY-??????',
    'arn:aws:s3:::acme-inference-cache/*',
    'arn:aws:s3:::acme-inference-cache',
  ]);
  expect(policy.Statement.flatMap((s) => s.Action).every((action) => !action.includes('*'))).toBe(true);
  // Without a secret or cache, no statement for them.
  expect(tokenExchangeRolePolicy({ ...INPUTS, secretName: undefined, cacheBucket: undefined }).Statement).toHaveLength(
    1,
  );
});

it('the core device IoT policy is accepted by IoT and scopes topics to the thing and <device_name>_*', async () => {
  const policy = coreDeviceIotPolicy(INPUTS);
  const iot = new IoTClient(moto.clientConfig);
  try {
    await iot.send(new CreateIotPolicyCommand({ policyName: 'ei-gg-core', policyDocument: JSON.stringify(policy) }));
  } finally {
    iot.destroy();
  }
  for (const statement of policy.Statement) {
    for (const resource of statement.Resource) {
      if (resource === '*') expect(statement.Action.every((a) => a.startsWith('greengrass:'))).toBe(true);
      else
        expect(resource).toMatch(
          /^arn:aws:iot:eu-west-1:123456789012:(client\/\$\{iot:Connection\.Thing\.ThingName\}\*|rolealias\/AcmeTokenExchangeRoleAlias|topic(filter)?\/(\$aws\/things\/\$\{iot:Connection\.Thing\.ThingName\}\/|\/edgeimpulse\/device\/line3_\*\/))/,
        );
    }
  }
  expect(JSON.stringify(policy)).toContain('topicfilter//edgeimpulse/device/line3_*/command/input');
});

it('refuses wildcards and separators in the names it is given', () => {
  expect(() => tokenExchangeRolePolicy({ ...INPUTS, artifactBucket: '*' })).toThrow('invalid bucket');
  expect(() => coreDeviceIotPolicy({ ...INPUTS, deviceName: 'a/#' })).toThrow('invalid device name');
});
