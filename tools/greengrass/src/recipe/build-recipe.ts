import { componentAccessControl, defaultRecipeParameters, toRecipeValue } from '@ei-gg/core';
import type { Architecture } from '../packaging/architectures';
import type { ComponentSpec } from '../packaging/component-spec';
import type { Recipe, RecipeLifecycle, RecipeManifest, RecipeRuntime } from './recipe-types';

/** Bucket placeholder of the local tree (GDK's convention); `publish` writes the real bucket. */
export const LOCAL_BUCKET = 'BUCKET_NAME';

/** The Recover step takes about a second (Node start, configuration, clean-up); an orphaned model gets 3 s to stop. */
export const RECOVER_TIMEOUT_SECONDS = 15;

/** components/lifecycle.sh, at the root of every artifact zip: every lifecycle step runs it. */
export const LIFECYCLE_SCRIPT = 'lifecycle.sh';

/** The lifecycle-level environment variable holding the unpacked lifecycle.sh's path (both nuclei export it to every step). */
export const LIFECYCLE_ENV = 'EI_GG_LIFECYCLE';

/** What the Nucleus Lite manifests set for every step, so that the component knows where it runs. */
export const LITE_MARKER = { EI_GG_NUCLEUS: 'lite' } as const;

/** The configuration the install step checks: every Parameter, as JSON (both nuclei serialize an object node). */
export const INSTALL_CONFIGURATION = { EI_GG_CONFIGURATION: '{configuration:/Parameters}' } as const;

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
 * access control from core's schema, publisher and dependencies from components/<Name>/component.json. Two
 * manifests per artifact: first one for Nucleus Lite (`runtime: aws_nucleus_lite`, `EI_GG_NUCLEUS=lite`, no
 * recover), then one any nucleus matches (`runtime: "*"`), which only the classic nucleus reaches: both nuclei
 * take the first manifest that matches (Lite: modules/ggl-recipe/src/recipe.c, select_linux_manifest; classic:
 * PlatformHelper.findBestMatch), and the classic nucleus never matches `aws_nucleus_lite` (it reports no runtime).
 */
export function buildRecipe(spec: ComponentSpec, artifacts: readonly BuiltArtifact[]): Recipe {
  const runtimes: RecipeRuntime[] = ['aws_nucleus_lite', '*'];
  return {
    RecipeFormatVersion: '2020-01-25',
    ComponentName: spec.componentName,
    ComponentVersion: spec.version,
    ComponentType: 'aws.greengrass.generic',
    ComponentDescription: spec.description,
    ComponentPublisher: spec.publisher,
    ComponentConfiguration: {
      DefaultConfiguration: {
        Parameters: recipeParameters(spec.kind),
        accessControl: componentAccessControl(spec.kind),
      },
    },
    ComponentDependencies: structuredClone(spec.dependencies),
    Manifests: runtimes.flatMap((runtime) => artifacts.map((artifact) => manifest(spec, artifact, runtime))),
  };
}

/**
 * The recipe's `DefaultConfiguration.Parameters`: every key with a default. A key whose default is unset
 * (`__none__`) is left out: the component reads an absent key exactly as `__none__`, a deployment may still set
 * it, and the recipe must fit Nucleus Lite's 8196-byte buffer (the README's table lists every key).
 */
export function recipeParameters(kind: ComponentSpec['kind']): Record<string, string | number> {
  const unset = toRecipeValue(undefined);
  return Object.fromEntries(Object.entries(defaultRecipeParameters(kind)).filter(([, value]) => value !== unset));
}

function manifest(spec: ComponentSpec, artifact: BuiltArtifact, runtime: RecipeRuntime): RecipeManifest {
  // Both nuclei run a step with `sh -c`, after exporting the lifecycle's Setenv then the step's; exec lets the
  // nucleus's signals reach the script, which execs Node. The script's path is written once per manifest.
  const step = (name: string) => `exec sh "$${LIFECYCLE_ENV}" ${name}`;
  const lifecycle: RecipeLifecycle = {
    Setenv: {
      [LIFECYCLE_ENV]: `{artifacts:decompressedPath}/${artifact.fileName.replace(/\.zip$/, '')}/${LIFECYCLE_SCRIPT}`,
      ...(runtime === 'aws_nucleus_lite' ? LITE_MARKER : {}),
    },
    // As root: it edits group membership. The configuration travels as data in the environment, never as script
    // text; being part of the install step, a change of Parameters changes the step and the classic nucleus
    // reinstalls (GenericExternalService.java: a change under lifecycle/install requests a reinstall).
    install: { RequiresPrivilege: true, Setenv: { ...INSTALL_CONFIGURATION }, Script: step('install') },
    run: { Script: step('run') },
    // On ERRORED, before the restart (and after a failed install): what a crash left behind. Quick, so well under
    // the classic nucleus's 60 s default. Not for Nucleus Lite, which has no recover phase (systemd restarts).
    ...(runtime === '*' ? { recover: { Timeout: RECOVER_TIMEOUT_SECONDS, Script: step('recover') } } : {}),
  };
  return {
    Platform: { os: 'linux', architecture: artifact.arch, runtime },
    Lifecycle: lifecycle,
    Artifacts: [
      {
        Uri: artifactUri(LOCAL_BUCKET, spec.componentName, spec.version, artifact.fileName),
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
