import type { AccessControl } from '@ei-gg/core';
import type { Architecture } from '../packaging/architectures';
import type { ComponentDependency } from '../packaging/component-spec';

export interface LifecycleStep {
  Script: string;
  RequiresPrivilege?: boolean;
  Timeout?: number;
  Setenv?: Record<string, string>;
}

/**
 * The lifecycle of a manifest. Step names are lowercase: Nucleus Lite looks up exactly `install`, `run` and
 * `startup` (keys are case-sensitive there), the classic nucleus finds any case. `Setenv` here applies to every step.
 */
export interface RecipeLifecycle {
  Setenv?: Record<string, string>;
  install: LifecycleStep;
  run: LifecycleStep;
  /** Classic nucleus only (Nucleus Lite has no recover phase). */
  recover?: LifecycleStep;
}

export interface RecipeArtifact {
  /** `Uri`, as Nucleus Lite requires it (the classic nucleus also accepts `URI`). */
  Uri: string;
  Unarchive: 'ZIP' | 'NONE';
  Permission: { Read: 'NONE' | 'OWNER' | 'ALL'; Execute: 'NONE' | 'OWNER' | 'ALL' };
  Digest: string;
  Algorithm: 'SHA-256';
}

/**
 * `runtime: aws_nucleus_lite` is picked by Nucleus Lite only (the classic nucleus reports no runtime, so the
 * template cannot match there); `*` by both, so it comes after the Lite manifests.
 */
export type RecipeRuntime = 'aws_nucleus_lite' | '*';

export interface RecipeManifest {
  Platform: { os: 'linux'; architecture: Architecture; runtime: RecipeRuntime };
  Lifecycle: RecipeLifecycle;
  Artifacts: RecipeArtifact[];
}

/** The subset of the Greengrass recipe format (2020-01-25) the generated recipes use. */
export interface Recipe {
  RecipeFormatVersion: '2020-01-25';
  ComponentName: string;
  ComponentVersion: string;
  ComponentType: 'aws.greengrass.generic';
  ComponentDescription: string;
  ComponentPublisher: string;
  ComponentConfiguration: {
    DefaultConfiguration: { Parameters: Record<string, string | number>; accessControl: AccessControl };
  };
  ComponentDependencies: Record<string, ComponentDependency>;
  Manifests: RecipeManifest[];
}
