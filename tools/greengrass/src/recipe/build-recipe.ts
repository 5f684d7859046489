import { componentAccessControl, defaultRecipeParameters } from '@ei-gg/core';
import type { Architecture } from '../packaging/architectures';
import type { ComponentSpec } from '../packaging/component-spec';
import type { Recipe, RecipeManifest } from './recipe-types';

/** Bucket placeholder of the local tree (GDK's convention); `publish` writes the real bucket. */
export const LOCAL_BUCKET = 'BUCKET_NAME';

/** The Recover step takes about a second (Node start, configuration, clean-up); an orphaned model gets 3 s to stop. */
export const RECOVER_TIMEOUT_SECONDS = 15;

export interface BuiltArtifact {
  arch: Architecture;
  fileName: string;
  /** Base64 SHA-256, as Greengrass records artifact digests. */
  digest: string;
}

export function artifactFileName(spec: ComponentSpec, arch: Architecture): string {
  return `${spec.bin}-${arch}.zip`;
}

export function artifactUri(bucket: string, componentName: string, version: string, fileName: string): string {
  return `s3://${bucket}/${componentName}/${version}/${fileName}`;
}

/**
 * The component's recipe, entirely derived: names and description from core's COMPONENTS, parameters and
 * access control from core's schema, publisher and dependencies from components/<Name>/component.json, one
 * manifest per artifact. `installScript` is components/install.sh.
 */
export function buildRecipe(spec: ComponentSpec, artifacts: readonly BuiltArtifact[], installScript: string): Recipe {
  return {
    RecipeFormatVersion: '2020-01-25',
    ComponentName: spec.componentName,
    ComponentVersion: spec.version,
    ComponentType: 'aws.greengrass.generic',
    ComponentDescription: spec.description,
    ComponentPublisher: spec.publisher,
    ComponentConfiguration: {
      DefaultConfiguration: {
        Parameters: defaultRecipeParameters(spec.kind),
        accessControl: componentAccessControl(spec.kind),
      },
    },
    ComponentDependencies: spec.dependencies,
    Manifests: artifacts.map((artifact) => manifest(spec, artifact, installScript)),
  };
}

function manifest(spec: ComponentSpec, artifact: BuiltArtifact, installScript: string): RecipeManifest {
  const root = `{artifacts:decompressedPath}/${artifact.fileName.replace(/\.zip$/, '')}`;
  return {
    // runtime '*' lets Nucleus Lite pick the manifest too (it skips manifests without it).
    Platform: { os: 'linux', architecture: artifact.arch, runtime: '*' },
    Lifecycle: {
      Install: {
        RequiresPrivilege: true,
        Timeout: 60,
        // Configuration reaches the script as data in the environment, never as script text.
        Setenv: { EI_GGC_USER_GROUPS: '{configuration:/Parameters/ei_ggc_user_groups}' },
        Script: installScript,
      },
      Run: {
        // exec: the nucleus's SIGTERM reaches Node itself, which stops the component and its children.
        Script: `exec "${root}/node/bin/node" --enable-source-maps "${root}/app/main.js"`,
      },
      Recover: {
        // On ERRORED, before the restart: what a crash (SIGKILL, OOM) left behind. Quick (reads the configuration,
        // no MQTT), so well under the nucleus's 60 s default; Nucleus Lite ignores the step (systemd restarts).
        Timeout: RECOVER_TIMEOUT_SECONDS,
        Script: `exec "${root}/node/bin/node" --enable-source-maps "${root}/app/main.js" --recover`,
      },
    },
    Artifacts: [
      {
        URI: artifactUri(LOCAL_BUCKET, spec.componentName, spec.version, artifact.fileName),
        Unarchive: 'ZIP',
        // Greengrass applies these to every unpacked file (zip modes are not kept): the runtime must be executable
        // by the component's user; nothing in the artifact is secret.
        Permission: { Read: 'ALL', Execute: 'ALL' },
        Digest: artifact.digest,
        Algorithm: 'SHA-256',
      },
    ],
  };
}
