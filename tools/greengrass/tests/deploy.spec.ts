/**
 * `deploy` and `deploy-local` requests. The Greengrass v2 control plane has no local emulator, so the client
 * is stubbed with aws-sdk-client-mock; what is checked is the request the tools send.
 */
import {
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GreengrassV2Client,
  ListCoreDevicesCommand,
  ListDeploymentsCommand,
  ListEffectiveDeploymentsCommand,
} from '@aws-sdk/client-greengrassv2';
import { mockClient } from 'aws-sdk-client-mock';
import { componentChanges } from '../src/cli/component-flags';
import { deploy, deployStaged, planDeployment } from '../src/deploy/deploy';
import { greengrassCliCommand } from '../src/deploy/greengrass-cli-command';

const SERIAL = 'EdgeImpulseSerialRunnerServiceComponent';
const GROUP = 'arn:aws:iot:eu-west-1:123456789012:thinggroup/line3';
const CANARY = 'arn:aws:iot:eu-west-1:123456789012:thinggroup/line3-canary';

const greengrass = mockClient(GreengrassV2Client);
afterEach(() => greengrass.reset());
afterAll(() => greengrass.restore());

const changes = () =>
  componentChanges(
    [`${SERIAL}=0.1.1`],
    [`${SERIAL}={"Parameters":{"device_name":"line3","serial_port":"/dev/ttyACM0"}}`],
    [`${SERIAL}=/Parameters/baud_rate`],
  );

it("deploys on top of the target's current deployment, with rollback, rollout and abort settings", async () => {
  greengrass
    .on(ListDeploymentsCommand, { targetArn: GROUP, historyFilter: 'LATEST_ONLY' })
    .resolves({ deployments: [{ deploymentId: 'd-old' }] });
  greengrass.on(GetDeploymentCommand, { deploymentId: 'd-old' }).resolves({
    components: { 'aws.greengrass.Nucleus': { componentVersion: '2.14.0' }, [SERIAL]: { componentVersion: '0.1.0' } },
  });
  greengrass.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-new' });

  const id = await deploy({
    greengrass: new GreengrassV2Client({ region: 'eu-west-1' }),
    targetArn: GROUP,
    deploymentName: 'ei-gg',
    changes: changes(),
  });
  expect(id).toBe('d-new');
  expect(greengrass.commandCalls(CreateDeploymentCommand)[0].args[0].input).toEqual({
    targetArn: GROUP,
    deploymentName: 'ei-gg',
    components: {
      'aws.greengrass.Nucleus': { componentVersion: '2.14.0' },
      [SERIAL]: {
        componentVersion: '0.1.1',
        configurationUpdate: {
          merge: '{"Parameters":{"device_name":"line3","serial_port":"/dev/ttyACM0"}}',
          reset: ['/accessControl', '/Parameters/baud_rate'],
        },
      },
    },
    deploymentPolicies: {
      failureHandlingPolicy: 'ROLLBACK',
      componentUpdatePolicy: { action: 'NOTIFY_COMPONENTS', timeoutInSeconds: 60 },
      configurationValidationPolicy: { timeoutInSeconds: 30 },
    },
    iotJobConfiguration: {
      jobExecutionsRolloutConfig: { maximumPerMinute: 50 },
      abortConfig: {
        criteriaList: [
          { failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 10, minNumberOfExecutedThings: 5 },
          { failureType: 'TIMED_OUT', action: 'CANCEL', thresholdPercentage: 10, minNumberOfExecutedThings: 5 },
        ],
      },
      timeoutConfig: { inProgressTimeoutInMinutes: 30 },
    },
  });
});

it('an upgrade resets /accessControl only and replays no configuration update of the previous deployment', async () => {
  const RUNNER = 'EdgeImpulseLinuxRunnerServiceComponent';
  const runWith = { posixUser: 'ggc_user:ggc_group' };
  greengrass.on(ListDeploymentsCommand, { targetArn: GROUP }).resolves({ deployments: [{ deploymentId: 'd-old' }] });
  greengrass.on(GetDeploymentCommand, { deploymentId: 'd-old' }).resolves({
    components: {
      // What the previous deployment asked for once; the devices hold the result since.
      [SERIAL]: {
        componentVersion: '0.1.0',
        runWith,
        configurationUpdate: {
          merge: '{"Parameters":{"device_name":"old"},"accessControl":{"aws.greengrass.SecretManager":{}}}',
          reset: ['/Parameters'],
        },
      },
      [RUNNER]: {
        componentVersion: '0.3.0',
        configurationUpdate: { merge: '{"Parameters":{"iotcore_backoff":"5"}}', reset: ['/Parameters/gst_args'] },
      },
    },
  });
  greengrass.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-new' });

  const notes: string[] = [];
  const options = {
    greengrass: new GreengrassV2Client({ region: 'eu-west-1' }),
    targetArn: GROUP,
    deploymentName: 'ei-gg',
    changes: componentChanges([`${SERIAL}=0.2.0`]),
    log: (line: string) => notes.push(line),
  };
  const dryRun = await planDeployment(options); // what `deploy --dry-run` prints
  await deploy(options);

  const sent = greengrass.commandCalls(CreateDeploymentCommand)[0].args[0].input;
  expect(sent.components).toEqual({
    [SERIAL]: { componentVersion: '0.2.0', runWith, configurationUpdate: { reset: ['/accessControl'] } },
    [RUNNER]: { componentVersion: '0.3.0' },
  });
  expect(dryRun).toEqual(sent);
  // Both times, the user is told what is not carried over.
  expect(notes.slice(0, 3)).toEqual([
    `${SERIAL}: the previous deployment's configuration update is not sent again (the devices already hold its result)`,
    `${SERIAL}: the accessControl merged by an earlier deployment is reset to 0.2.0's recipe; pass it again with --config ${SERIAL}={"accessControl":...} to keep it`,
    `${RUNNER}: the previous deployment's configuration update is not sent again (the devices already hold its result)`,
  ]);
  expect(notes.slice(3)).toEqual(notes.slice(0, 3));
});

function stagedSetup(canaryStatus: string) {
  greengrass.on(ListDeploymentsCommand).resolves({ deployments: [] });
  greengrass.on(CreateDeploymentCommand, { targetArn: CANARY }).resolves({ deploymentId: 'd-canary' });
  greengrass.on(CreateDeploymentCommand, { targetArn: GROUP }).resolves({ deploymentId: 'd-fleet' });
  greengrass
    .on(ListCoreDevicesCommand, { thingGroupArn: CANARY })
    .resolves({ coreDevices: [{ coreDeviceThingName: 'cam-1' }, { coreDeviceThingName: 'cam-2' }] });
  greengrass.on(ListEffectiveDeploymentsCommand, { coreDeviceThingName: 'cam-1' }).resolves({
    effectiveDeployments: [{ deploymentId: 'd-canary', coreDeviceExecutionStatus: 'SUCCEEDED' } as never],
  });
  greengrass
    .on(ListEffectiveDeploymentsCommand, { coreDeviceThingName: 'cam-2' })
    .resolvesOnce({
      effectiveDeployments: [{ deploymentId: 'd-canary', coreDeviceExecutionStatus: 'IN_PROGRESS' } as never],
    })
    .resolves({
      effectiveDeployments: [{ deploymentId: 'd-canary', coreDeviceExecutionStatus: canaryStatus } as never],
    });
  return {
    greengrass: new GreengrassV2Client({ region: 'eu-west-1' }),
    deploymentName: 'ei-gg',
    changes: changes(),
    canaryGroupArn: CANARY,
    fleetGroupArn: GROUP,
    canaryTimeoutMs: 5000,
    pollIntervalMs: 1,
    log: () => undefined,
  };
}

it('staged: the fleet deployment follows once every canary device succeeded', async () => {
  expect(await deployStaged(stagedSetup('SUCCEEDED'))).toEqual({ canary: 'd-canary', fleet: 'd-fleet' });
  expect(greengrass.commandCalls(CreateDeploymentCommand).map((c) => c.args[0].input.deploymentName)).toEqual([
    'ei-gg-canary',
    'ei-gg',
  ]);
});

it('staged: a failed canary device stops the rollout before the fleet', async () => {
  await expect(deployStaged(stagedSetup('FAILED'))).rejects.toThrow(
    'canary failed on cam-2 (FAILED): the fleet was not deployed',
  );
  expect(greengrass.commandCalls(CreateDeploymentCommand)).toHaveLength(1);
});

it('deploy-local builds the greengrass-cli command for the packaged tree', () => {
  expect(greengrassCliCommand('/greengrass/v2/bin/greengrass-cli', '/repo/dist/greengrass', changes())).toEqual([
    '/greengrass/v2/bin/greengrass-cli',
    'deployment',
    'create',
    '--recipeDir',
    '/repo/dist/greengrass/recipes',
    '--artifactDir',
    '/repo/dist/greengrass/artifacts',
    '--merge',
    `${SERIAL}=0.1.1`,
    '--update-config',
    `{"${SERIAL}":{"MERGE":{"Parameters":{"device_name":"line3","serial_port":"/dev/ttyACM0"}},"RESET":["/accessControl","/Parameters/baud_rate"]}}`,
  ]);
});

it('deploy-local resets /accessControl of a component deployed without configuration flags', () => {
  const command = greengrassCliCommand('greengrass-cli', '/out', componentChanges([`${SERIAL}=0.2.0`]));
  expect(command.slice(-2)).toEqual(['--update-config', `{"${SERIAL}":{"RESET":["/accessControl"]}}`]);
});
