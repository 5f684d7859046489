import type { ComponentDeploymentSpecification, CreateDeploymentCommandInput } from '@aws-sdk/client-greengrassv2';

export interface ComponentChange {
  componentVersion: string;
  /** Merged into the component's configuration on the devices (e.g. `{ Parameters: { device_name: 'line3' } }`). */
  merge?: Record<string, unknown>;
  /** JSON pointers reset to the recipe's defaults (applied before merge), besides UPGRADE_RESET. */
  reset?: string[];
}

/**
 * Reset on every component a deployment installs or upgrades. The nucleus keeps a device's running
 * configuration and merges a new version's defaults only into keys it lacks (KernelConfigResolver), so a
 * corrected accessControl in a new recipe would never reach an upgraded device: resetting it makes the
 * nucleus take the new version's. Nothing else is reset unless asked for.
 */
export const UPGRADE_RESET = ['/accessControl'] as const;

export interface RolloutSettings {
  /** Devices notified per minute at most. */
  maximumPerMinute: number;
  /** Cancel the rollout once this share of devices failed... */
  abortFailurePercent: number;
  /** ...among at least this many devices. */
  abortMinDevices: number;
  /** A device that has not finished within this many minutes counts as timed out. */
  timeoutMinutes: number;
}

export const DEFAULT_ROLLOUT: RolloutSettings = {
  maximumPerMinute: 50,
  abortFailurePercent: 10,
  abortMinDevices: 5,
  timeoutMinutes: 30,
};

/**
 * The CreateDeployment request for a thing or thing group. A deployment replaces the target's previous one
 * whole, so the target's current components (`existing`) are kept, at their versions, and only `changes` are
 * put over them. A previous deployment's configuration updates are not carried over: the devices already hold
 * their result, and sending a merge or reset again would re-apply it over what changed since (a reset would
 * wipe later merges). Each changed component resets UPGRADE_RESET, then the user's resets, then gets the
 * user's merge. A failure rolls the device back, and the rollout stops when too many devices fail.
 */
export function deploymentRequest(options: {
  targetArn: string;
  deploymentName: string;
  existing: Record<string, ComponentDeploymentSpecification>;
  changes: Record<string, ComponentChange>;
  rollout?: RolloutSettings;
}): CreateDeploymentCommandInput {
  const rollout = options.rollout ?? DEFAULT_ROLLOUT;
  const components: Record<string, ComponentDeploymentSpecification> = {};
  for (const [name, previous] of Object.entries(options.existing))
    components[name] = withoutConfigurationUpdate(previous);
  for (const [name, change] of Object.entries(options.changes)) {
    components[name] = {
      componentVersion: change.componentVersion,
      // runWith (the system user, resource limits) is how the component runs, not an update: kept.
      ...(options.existing[name]?.runWith ? { runWith: options.existing[name].runWith } : {}),
      configurationUpdate: {
        ...(change.merge ? { merge: JSON.stringify(change.merge) } : {}),
        reset: upgradeResets(change),
      },
    };
  }
  return {
    targetArn: options.targetArn,
    deploymentName: options.deploymentName,
    components,
    deploymentPolicies: {
      failureHandlingPolicy: 'ROLLBACK',
      componentUpdatePolicy: { action: 'NOTIFY_COMPONENTS', timeoutInSeconds: 60 },
      configurationValidationPolicy: { timeoutInSeconds: 30 },
    },
    iotJobConfiguration: {
      jobExecutionsRolloutConfig: { maximumPerMinute: rollout.maximumPerMinute },
      abortConfig: {
        criteriaList: [
          {
            failureType: 'FAILED',
            action: 'CANCEL',
            thresholdPercentage: rollout.abortFailurePercent,
            minNumberOfExecutedThings: rollout.abortMinDevices,
          },
          {
            failureType: 'TIMED_OUT',
            action: 'CANCEL',
            thresholdPercentage: rollout.abortFailurePercent,
            minNumberOfExecutedThings: rollout.abortMinDevices,
          },
        ],
      },
      timeoutConfig: { inProgressTimeoutInMinutes: rollout.timeoutMinutes },
    },
  };
}

/** UPGRADE_RESET and then the user's pointers, each once. */
export function upgradeResets(change: ComponentChange): string[] {
  return [...new Set([...UPGRADE_RESET, ...(change.reset ?? [])])];
}

/** A previous deployment's component as it is kept: its version and how it runs, not its configuration update. */
function withoutConfigurationUpdate(previous: ComponentDeploymentSpecification): ComponentDeploymentSpecification {
  const { configurationUpdate: _dropped, ...kept } = previous;
  return kept;
}

/**
 * What the user should know about an upgrade: which earlier configuration updates are not sent again, and which
 * components had an accessControl merged earlier that the upgrade resets to the new recipe's (pass it again with
 * --config to keep it, e.g. for a secret other than the recipe's default).
 */
export function deploymentNotes(
  existing: Record<string, ComponentDeploymentSpecification>,
  changes: Record<string, ComponentChange>,
): string[] {
  const notes: string[] = [];
  for (const [name, previous] of Object.entries(existing)) {
    const update = previous.configurationUpdate;
    if (!update?.merge && !update?.reset?.length) continue;
    notes.push(
      `${name}: the previous deployment's configuration update is not sent again (the devices already hold its result)`,
    );
    const change = changes[name];
    if (change && mergesAccessControl(update.merge) && change.merge?.accessControl === undefined) {
      notes.push(
        `${name}: the accessControl merged by an earlier deployment is reset to ${change.componentVersion}'s recipe; ` +
          `pass it again with --config ${name}={"accessControl":...} to keep it`,
      );
    }
  }
  return notes;
}

function mergesAccessControl(merge: string | undefined): boolean {
  if (!merge) return false;
  try {
    const parsed: unknown = JSON.parse(merge);
    return typeof parsed === 'object' && parsed !== null && 'accessControl' in parsed;
  } catch {
    return false;
  }
}
