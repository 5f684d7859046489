#!/usr/bin/env node
/** `policy`: prints the least-privilege IAM policy (token exchange role) and IoT policy (core device) as JSON. */
import { parseArgs } from 'node:util';
import { coreDeviceIotPolicy, tokenExchangeRolePolicy } from '../policy/policies';
import { runCli } from './run-cli';

runCli(async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      region: { type: 'string', default: process.env.AWS_REGION },
      account: { type: 'string', default: process.env.AWS_ACCOUNT_ID },
      bucket: { type: 'string', default: process.env.EI_GG_BUCKET },
      prefix: { type: 'string', default: process.env.EI_GG_PREFIX ?? '' },
      secret: { type: 'string' },
      'cache-bucket': { type: 'string' },
      'device-name': { type: 'string', default: 'MyEdgeImpulseDevice' },
      'role-alias': { type: 'string', default: 'GreengrassV2TokenExchangeRoleAlias' },
      only: { type: 'string' },
    },
  });
  const missing = (['region', 'account', 'bucket'] as const).filter((key) => values[key] === undefined);
  if (missing.length > 0)
    throw new Error(`policy: --${missing.join(', --')} required (or AWS_REGION, AWS_ACCOUNT_ID, EI_GG_BUCKET)`);
  const inputs = {
    region: values.region as string,
    accountId: values.account as string,
    artifactBucket: values.bucket as string,
    artifactPrefix: values.prefix,
    secretName: values.secret,
    cacheBucket: values['cache-bucket'],
    deviceName: values['device-name'],
    roleAlias: values['role-alias'],
  };
  const documents = {
    tokenExchangeRolePolicy: tokenExchangeRolePolicy(inputs),
    coreDeviceIotPolicy: coreDeviceIotPolicy(inputs),
  };
  if (values.only === 'iam') console.log(JSON.stringify(documents.tokenExchangeRolePolicy, null, 2));
  else if (values.only === 'iot') console.log(JSON.stringify(documents.coreDeviceIotPolicy, null, 2));
  else console.log(JSON.stringify(documents, null, 2));
});
