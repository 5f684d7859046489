#!/usr/bin/env node
/**
 * `deploy`: a Greengrass deployment for a thing or thing group, on top of its current one. The components it
 * deploys reset /accessControl (so a new version's policy applies) and whatever --reset names, then merge --config;
 * the other components keep their versions, and no earlier deployment's merge or reset is sent again.
 *   deploy (--thing T | --thing-group G [--canary-group C]) --component Name=1.2.3 [--config Name=JSON] [--reset Name=/ptr]
 *          [--name N] [--region R] [--max-per-minute 50] [--abort-percent 10] [--abort-min 5] [--timeout-minutes 30]
 *          [--canary-timeout-minutes 30] [--dry-run]
 */
import { GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import { parseArgs } from 'node:util';
import { awsContext } from '../aws/aws-context';
import { deploy, deployStaged, planDeployment } from '../deploy/deploy';
import { DEFAULT_ROLLOUT } from '../deploy/deployment-request';
import { componentChanges } from './component-flags';
import { runCli } from './run-cli';

runCli(async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      thing: { type: 'string' },
      'thing-group': { type: 'string' },
      'canary-group': { type: 'string' },
      component: { type: 'string', multiple: true, default: [] },
      config: { type: 'string', multiple: true, default: [] },
      reset: { type: 'string', multiple: true, default: [] },
      name: { type: 'string', default: 'ei-gg' },
      region: { type: 'string' },
      'max-per-minute': { type: 'string', default: String(DEFAULT_ROLLOUT.maximumPerMinute) },
      'abort-percent': { type: 'string', default: String(DEFAULT_ROLLOUT.abortFailurePercent) },
      'abort-min': { type: 'string', default: String(DEFAULT_ROLLOUT.abortMinDevices) },
      'timeout-minutes': { type: 'string', default: String(DEFAULT_ROLLOUT.timeoutMinutes) },
      'canary-timeout-minutes': { type: 'string', default: '30' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  if ((values.thing === undefined) === (values['thing-group'] === undefined))
    throw new Error('deploy: give exactly one of --thing and --thing-group');
  if (values['canary-group'] !== undefined && values.thing !== undefined)
    throw new Error('deploy: --canary-group goes with --thing-group');
  const changes = componentChanges(values.component, values.config, values.reset);
  if (Object.keys(changes).length === 0) throw new Error('deploy: at least one --component Name=version');
  const rollout = {
    maximumPerMinute: Number(values['max-per-minute']),
    abortFailurePercent: Number(values['abort-percent']),
    abortMinDevices: Number(values['abort-min']),
    timeoutMinutes: Number(values['timeout-minutes']),
  };
  const { region, accountId } = await awsContext(values.region);
  const iot = `arn:aws:iot:${region}:${accountId}`;
  const targetArn =
    values.thing !== undefined ? `${iot}:thing/${values.thing}` : `${iot}:thinggroup/${values['thing-group']}`;
  const greengrass = new GreengrassV2Client({ region });
  const deployment = {
    greengrass,
    targetArn,
    deploymentName: values.name,
    changes,
    rollout,
    log: (line: string) => process.stderr.write(`${line}\n`),
  };
  try {
    if (values['dry-run']) {
      // Exactly what deploy would send: kept versions, no replayed configuration update, /accessControl reset.
      console.log(JSON.stringify(await planDeployment(deployment), null, 2));
    } else if (values['canary-group'] !== undefined) {
      const { targetArn: fleetGroupArn, ...common } = deployment;
      const ids = await deployStaged({
        ...common,
        canaryGroupArn: `${iot}:thinggroup/${values['canary-group']}`,
        fleetGroupArn,
        canaryTimeoutMs: Number(values['canary-timeout-minutes']) * 60_000,
        pollIntervalMs: 15_000,
      });
      console.log(JSON.stringify(ids));
    } else {
      console.log(JSON.stringify({ deploymentId: await deploy(deployment) }));
    }
  } finally {
    greengrass.destroy();
  }
});
