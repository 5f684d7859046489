import type { ComponentDeploymentSpecification, CreateDeploymentCommandInput } from '@aws-sdk/client-greengrassv2';

export interface ComponentChange {
  componentVersion: string;
  /** Merged into the component's configuration on the devices (e.g. `{ Parameters: { device_name: 'line3' } }`). */
  merge?: Record<string, unknown>;
  /** JSON pointers reset to the recipe's defaults (applied before merge). */
  reset?: string[];
}

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
 * whole, so the target's current components (`existing`) are kept and only `changes` are put over them;
 * a failure rolls the device back, and the rollout stops when too many devices fail.
 */
export function deploymentRequest(options: {
  targetArn: string;
  deploymentName: string;
  existing: Record<string, ComponentDeploymentSpecification>;
  changes: Record<string, ComponentChange>;
  rollout?: RolloutSettings;
}): CreateDeploymentCommandInput {
  const rollout = options.rollout ?? DEFAULT_ROLLOUT;
  const components: Record<string, ComponentDeploymentSpecification> = { ...options.existing };
  for (const [name, change] of Object.entries(options.changes)) {
    components[name] = {
      componentVersion: change.componentVersion,
      ...(change.merge || change.reset
        ? {
            configurationUpdate: {
              ...(change.merge ? { merge: JSON.stringify(change.merge) } : {}),
              ...(change.reset ? { reset: change.reset } : {}),
            },
          }
        : {}),
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
