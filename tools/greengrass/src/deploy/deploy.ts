import {
  CreateDeploymentCommand,
  GetDeploymentCommand,
  ListCoreDevicesCommand,
  ListDeploymentsCommand,
  ListEffectiveDeploymentsCommand,
  type ComponentDeploymentSpecification,
  type CreateDeploymentCommandInput,
  type GreengrassV2Client,
} from '@aws-sdk/client-greengrassv2';
import { setTimeout as sleep } from 'node:timers/promises';
import { deploymentNotes, deploymentRequest, type ComponentChange, type RolloutSettings } from './deployment-request';

export interface DeployOptions {
  greengrass: GreengrassV2Client;
  targetArn: string;
  deploymentName: string;
  changes: Record<string, ComponentChange>;
  rollout?: RolloutSettings;
  /** Told what an upgrade does not carry over (deploymentNotes). */
  log?(line: string): void;
}

/**
 * The request deploy() sends, and what `deploy --dry-run` prints: `changes` on top of the target's latest
 * deployment's components, without that deployment's configuration updates (deploymentRequest).
 */
export async function planDeployment(options: DeployOptions): Promise<CreateDeploymentCommandInput> {
  const existing = await currentComponents(options.greengrass, options.targetArn);
  for (const note of deploymentNotes(existing, options.changes)) options.log?.(note);
  return deploymentRequest({ ...options, existing });
}

/** Deploys `changes` on top of the target's latest deployment (so nothing else is uninstalled). */
export async function deploy(options: DeployOptions): Promise<string> {
  const request = await planDeployment(options);
  const { deploymentId } = await options.greengrass.send(new CreateDeploymentCommand(request));
  if (deploymentId === undefined) throw new Error('CreateDeployment returned no deployment id');
  return deploymentId;
}

export async function currentComponents(
  greengrass: GreengrassV2Client,
  targetArn: string,
): Promise<Record<string, ComponentDeploymentSpecification>> {
  const { deployments } = await greengrass.send(
    new ListDeploymentsCommand({ targetArn, historyFilter: 'LATEST_ONLY' }),
  );
  const latest = deployments?.[0]?.deploymentId;
  if (latest === undefined) return {};
  return (await greengrass.send(new GetDeploymentCommand({ deploymentId: latest }))).components ?? {};
}

export interface StagedOptions extends Omit<DeployOptions, 'targetArn'> {
  canaryGroupArn: string;
  fleetGroupArn: string;
  /** How long the canary devices get to report success. */
  canaryTimeoutMs: number;
  pollIntervalMs: number;
  log(line: string): void;
}

/** Canary group first; the fleet only once every canary core device reports the deployment SUCCEEDED. */
export async function deployStaged(options: StagedOptions): Promise<{ canary: string; fleet: string }> {
  const canary = await deploy({
    ...options,
    targetArn: options.canaryGroupArn,
    deploymentName: `${options.deploymentName}-canary`,
  });
  options.log(`canary deployment ${canary} created; waiting for its core devices`);
  await waitForCanary(options, canary);
  const fleet = await deploy({ ...options, targetArn: options.fleetGroupArn });
  options.log(`fleet deployment ${fleet} created`);
  return { canary, fleet };
}

const FAILED = new Set(['FAILED', 'TIMED_OUT', 'REJECTED', 'CANCELED']);

async function waitForCanary(options: StagedOptions, deploymentId: string): Promise<void> {
  const deadline = Date.now() + options.canaryTimeoutMs;
  for (;;) {
    const devices =
      (await options.greengrass.send(new ListCoreDevicesCommand({ thingGroupArn: options.canaryGroupArn })))
        .coreDevices ?? [];
    if (devices.length === 0) throw new Error(`canary group ${options.canaryGroupArn} has no core devices`);
    const statuses = await Promise.all(
      devices.map(async ({ coreDeviceThingName }) => {
        const { effectiveDeployments } = await options.greengrass.send(
          new ListEffectiveDeploymentsCommand({ coreDeviceThingName }),
        );
        return {
          device: coreDeviceThingName,
          status: effectiveDeployments?.find((d) => d.deploymentId === deploymentId)?.coreDeviceExecutionStatus,
        };
      }),
    );
    const failed = statuses.filter((s) => s.status !== undefined && FAILED.has(s.status));
    if (failed.length > 0)
      throw new Error(
        `canary failed on ${failed.map((f) => `${f.device} (${f.status})`).join(', ')}: the fleet was not deployed`,
      );
    if (statuses.every((s) => s.status === 'SUCCEEDED')) return;
    if (Date.now() > deadline)
      throw new Error(`canary not finished after ${options.canaryTimeoutMs} ms: the fleet was not deployed`);
    await sleep(options.pollIntervalMs);
  }
}
