import { COMPONENTS } from '@ei-gg/core';

export interface PolicyStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface PolicyInputs {
  region: string;
  accountId: string;
  /** Bucket `publish` uploads artifacts to (read under each component's prefix). */
  artifactBucket: string;
  /** Key prefix `publish` used ('' or ending in '/'). */
  artifactPrefix: string;
  /** Secrets Manager secret name holding the Edge Impulse API key (linux components). */
  secretName?: string;
  /** Bucket of the linux-runner's S3 inference cache, when enable_cache_to_s3 is used. */
  cacheBucket?: string;
  /** `device_name` of the fleet: topics are scoped to `<device_name>_*` (the unique suffix). */
  deviceName: string;
  /** The IoT role alias the core device's token exchange uses. */
  roleAlias: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Refuses wildcards and separators in the names: the policies must name exactly these resources. */
export function checkPolicyInputs(inputs: PolicyInputs): void {
  const named: [string, string | undefined][] = [
    ['region', inputs.region],
    ['account', inputs.accountId],
    ['bucket', inputs.artifactBucket],
    ['secret', inputs.secretName],
    ['cache bucket', inputs.cacheBucket],
    ['device name', inputs.deviceName],
    ['role alias', inputs.roleAlias],
  ];
  for (const [what, value] of named) {
    if (value !== undefined && !NAME.test(value))
      throw new Error(`invalid ${what} ${JSON.stringify(value)}: letters, digits, '.', '_' and '-' only`);
  }
  if (!/^\d{12}$/.test(inputs.accountId))
    throw new Error(`invalid account ${JSON.stringify(inputs.accountId)}: 12 digits`);
  if (inputs.artifactPrefix !== '' && !/^([A-Za-z0-9._-]+\/)+$/.test(inputs.artifactPrefix))
    throw new Error(`invalid prefix ${JSON.stringify(inputs.artifactPrefix)}`);
}

/**
 * The token exchange role's policy: read this product's artifacts, the one API key secret, and (only when
 * given) the inference cache bucket. Everything else the core needs from AWS is outside this product.
 */
export function tokenExchangeRolePolicy(inputs: PolicyInputs): PolicyDocument {
  checkPolicyInputs(inputs);
  const statements: PolicyStatement[] = [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: Object.values(COMPONENTS).map(
        (c) => `arn:aws:s3:::${inputs.artifactBucket}/${inputs.artifactPrefix}${c.componentName}/*`,
      ),
    },
  ];
  if (inputs.secretName !== undefined) {
    // Secrets Manager appends '-' and six random characters to a secret's ARN.
    statements.push({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [`arn:aws:secretsmanager:${inputs.region}:${inputs.accountId}:secret:${inputs.secretName}-??????`],
    });
  }
  if (inputs.cacheBucket !== undefined) {
    statements.push(
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
        Resource: [`arn:aws:s3:::${inputs.cacheBucket}/*`],
      },
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${inputs.cacheBucket}`] },
    );
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The core device's IoT policy: the nucleus's own needs (connect as its thing, its shadow, jobs and health
 * topics, the role alias, the Greengrass data plane) plus the product's four topics for `<device_name>_*`.
 */
export function coreDeviceIotPolicy(inputs: PolicyInputs): PolicyDocument {
  checkPolicyInputs(inputs);
  const iot = `arn:aws:iot:${inputs.region}:${inputs.accountId}`;
  const thing = '${iot:Connection.Thing.ThingName}';
  const device = `/edgeimpulse/device/${inputs.deviceName}_*`;
  const nucleusTopics = [`$aws/things/${thing}/jobs/*`, `$aws/things/${thing}/shadow/*`];
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['iot:Connect'], Resource: [`${iot}:client/${thing}*`] },
      {
        Effect: 'Allow',
        Action: ['iot:Publish'],
        Resource: [
          ...[
            `$aws/things/${thing}/greengrass/health/json`,
            `$aws/things/${thing}/greengrassv2/health/json`,
            ...nucleusTopics,
          ].map((t) => `${iot}:topic/${t}`),
          // command/input too: a retained command is cleared by publishing an empty retained message.
          ...['inference/output', 'model/metrics', 'command/output', 'command/input'].map(
            (t) => `${iot}:topic/${device}/${t}`,
          ),
        ],
      },
      {
        Effect: 'Allow',
        Action: ['iot:Subscribe'],
        Resource: [...nucleusTopics, `${device}/command/input`].map((t) => `${iot}:topicfilter/${t}`),
      },
      {
        Effect: 'Allow',
        Action: ['iot:Receive'],
        Resource: [...nucleusTopics, `${device}/command/input`].map((t) => `${iot}:topic/${t}`),
      },
      {
        Effect: 'Allow',
        Action: ['iot:AssumeRoleWithCertificate'],
        Resource: [`${iot}:rolealias/${inputs.roleAlias}`],
      },
      {
        // These data-plane actions take no resource-level permissions.
        Effect: 'Allow',
        Action: [
          'greengrass:GetComponentVersionArtifact',
          'greengrass:ResolveComponentCandidates',
          'greengrass:GetDeploymentConfiguration',
          'greengrass:ListThingGroupsForCoreDevice',
        ],
        Resource: ['*'],
      },
    ],
  };
}
