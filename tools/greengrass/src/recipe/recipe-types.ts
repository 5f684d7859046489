import type { AccessControl } from '@ei-gg/core';
import type { Architecture } from '../packaging/architectures';
import type { ComponentDependency } from '../packaging/component-spec';

export interface LifecycleStep {
  Script: string;
  RequiresPrivilege?: boolean;
  Timeout?: number;
  Setenv?: Record<string, string>;
}

export interface RecipeArtifact {
  URI: string;
  Unarchive: 'ZIP' | 'NONE';
  Permission: { Read: 'NONE' | 'OWNER' | 'ALL'; Execute: 'NONE' | 'OWNER' | 'ALL' };
  Digest: string;
  Algorithm: 'SHA-256';
}

export interface RecipeManifest {
  Platform: { os: 'linux'; architecture: Architecture; runtime: '*' };
  Lifecycle: { Install: LifecycleStep; Run: LifecycleStep; Recover: LifecycleStep };
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
