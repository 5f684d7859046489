import type { Architecture } from '../packaging/architectures';
import type { RecipeArtifact } from '../recipe/recipe-types';

/**
 * Which nucleus the recipe runner plays. `classic`: the Java nucleus (aws-greengrass-nucleus), which reads recipe
 * keys case-insensitively and runs install, run and recover. `lite`: Nucleus Lite (aws-greengrass-lite), whose
 * keys are case-sensitive, which refuses recipes over 8196 bytes and has no recover phase.
 */
export type NucleusKind = 'classic' | 'lite';

export type StepName = 'install' | 'run' | 'recover';

export interface SelectedStep {
  script: string;
  setenv: Record<string, string>;
  timeoutSeconds?: number;
}

/** What the nucleus takes from the manifest it selects for this device, whatever the keys' case in the recipe. */
export interface SelectedManifest {
  /** Lifecycle-level Setenv: for every step. */
  setenv: Record<string, string>;
  steps: Partial<Record<StepName, SelectedStep>>;
  artifacts: Array<Pick<RecipeArtifact, 'Uri' | 'Digest'> & Partial<Pick<RecipeArtifact, 'Unarchive' | 'Permission'>>>;
}

/** The recipe as read (keys in any case for the classic nucleus), before a manifest is selected. */
export type RawRecipe = Record<string, unknown>;

/** A recipe the nucleus refuses; the message quotes the nucleus's own log line where it has one. */
export class RecipeRefused extends Error {
  constructor(nucleus: NucleusKind, message: string) {
    super(`${nucleus === 'lite' ? 'Nucleus Lite' : 'the classic nucleus'} refuses the recipe: ${message}`);
  }
}

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree => value !== null && typeof value === 'object' && !Array.isArray(value);

/** `tree[key]`: exact for Nucleus Lite; for the classic nucleus any case, as Jackson (ACCEPT_CASE_INSENSITIVE_PROPERTIES) and its Topics read. */
export function field(tree: unknown, key: string, nucleus: NucleusKind): unknown {
  if (!isTree(tree)) return undefined;
  if (Object.hasOwn(tree, key)) return tree[key];
  if (nucleus === 'lite') return undefined;
  const found = Object.keys(tree).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : tree[found];
}

/**
 * The first manifest that matches this device, as each nucleus picks it. Classic (component-common
 * PlatformHelper.isAttributeSatisfied): every Platform attribute must be `*`, absent, `all`/`any` for os and
 * architecture, a `/regex/`, or equal to the device's (`os`, `architecture`); the classic nucleus reports no
 * `runtime`, so only `*` passes there. Lite (modules/ggl-recipe/src/recipe.c, manifest_selection): `runtime` must
 * be `*` or `aws_nucleus_lite`, `os` `linux`, `*` or `all`, `architecture` absent, `*` or the device's.
 */
export function selectManifest(recipe: RawRecipe, nucleus: NucleusKind, arch: Architecture): SelectedManifest {
  const manifests = field(recipe, 'Manifests', nucleus);
  if (!Array.isArray(manifests))
    throw new RecipeRefused(nucleus, nucleus === 'lite' ? '"No Manifest found in the recipe"' : 'no Manifests');
  const device: Record<string, string> = { os: 'linux', architecture: arch };
  for (const candidate of manifests as unknown[]) {
    const platform = field(candidate, 'Platform', nucleus);
    if (nucleus === 'lite') {
      if (!isTree(platform)) throw new RecipeRefused(nucleus, '"Platform not provided"');
      if (platform.runtime !== '*' && platform.runtime !== 'aws_nucleus_lite') continue; // "Skipping manifest as it is not for aws_nucleus_lite"
      if (!['linux', '*', 'all'].includes(String(platform.os))) continue;
      if (platform.architecture !== undefined && platform.architecture !== '*' && platform.architecture !== arch)
        continue;
    } else if (isTree(platform)) {
      const satisfied = Object.entries(platform).every(([key, template]) =>
        attributeSatisfied(key, device[key], template),
      );
      if (!satisfied) continue;
    }
    return readManifest(candidate, recipe, nucleus);
  }
  throw new RecipeRefused(
    nucleus,
    nucleus === 'lite'
      ? `"No Manifest was found for linux" (a manifest needs runtime "*" or "aws_nucleus_lite", os linux and architecture ${arch})`
      : `no manifest matches os linux, architecture ${arch}`,
  );
}

function attributeSatisfied(name: string, label: string | undefined, template: unknown): boolean {
  if (template === null || template === undefined || template === '*') return true;
  if (typeof template !== 'string' || label === undefined || label === '') return false;
  if (template.length >= 2 && template.startsWith('/') && template.endsWith('/'))
    return new RegExp(`^(?:${template.slice(1, -1)})$`).test(label);
  if ((name === 'os' || name === 'architecture') && (template === 'all' || template === 'any')) return true;
  if (!/^[a-zA-Z0-9]/.test(template)) return false;
  return template === label;
}

const LITE_STEPS = ['bootstrap', 'install', 'startup', 'run', 'recover', 'shutdown'];

function readManifest(manifest: unknown, recipe: RawRecipe, nucleus: NucleusKind): SelectedManifest {
  let lifecycle = field(manifest, 'Lifecycle', nucleus);
  if (!isTree(lifecycle) || Object.keys(lifecycle).length === 0) {
    // Both nuclei fall back to the recipe's global Lifecycle (its `all` section when nothing is selected).
    lifecycle = field(field(recipe, 'Lifecycle', nucleus), 'all', nucleus);
  }
  if (!isTree(lifecycle))
    throw new RecipeRefused(nucleus, nucleus === 'lite' ? '"No lifecycle was found for linux"' : 'no Lifecycle');

  const steps: SelectedManifest['steps'] = {};
  if (nucleus === 'lite') {
    // recipe2unit: install, then startup or run; anything else is not looked up (recover and shutdown are ignored).
    const present = (name: string) => Object.hasOwn(lifecycle, name);
    if (!['bootstrap', 'install', 'startup', 'run'].some(present)) {
      throw new RecipeRefused(
        nucleus,
        `"Recipes without at least 1 valid lifecycle step aren't currently supported by Greengrass nucleus lite" ` +
          `"Note that in Greengrass nucleus lite, keys are case sensitive. Check the recipe reference for the correct casing." ` +
          `(lifecycle keys: ${Object.keys(lifecycle).join(', ')})`,
      );
    }
    // Lite looks the phases up by exact name and silently skips a miscased one (e.g. `Install`: no install at
    // all). The runner refuses it instead, quoting Lite's note, so that a test sees what a device would hide.
    for (const key of Object.keys(lifecycle)) {
      if (LITE_STEPS.includes(key.toLowerCase()) && !present(key.toLowerCase())) {
        throw new RecipeRefused(
          nucleus,
          `lifecycle step "${key}" is never run: Lite looks up "${key.toLowerCase()}" only and skips it ("Note that in Greengrass nucleus lite, keys are case sensitive. Check the recipe reference for the correct casing.")`,
        );
      }
    }
    for (const name of ['install', present('startup') ? 'startup' : 'run'] as const) {
      if (present(name)) steps[name === 'startup' ? 'run' : name] = readStep(lifecycle[name], name, nucleus);
    }
  } else {
    for (const name of ['install', 'run', 'recover'] as const) {
      const step = field(lifecycle, name, nucleus);
      if (step !== undefined) steps[name] = readStep(step, name, nucleus);
    }
  }

  const artifacts = field(manifest, 'Artifacts', nucleus) ?? [];
  if (!Array.isArray(artifacts))
    throw new RecipeRefused(nucleus, nucleus === 'lite' ? '"Artifacts was not a list"' : 'Artifacts is not a list');
  return {
    setenv: readEnv(field(lifecycle, 'Setenv', nucleus), nucleus),
    steps,
    artifacts: (artifacts as unknown[]).map((artifact) => {
      const uri = field(artifact, nucleus === 'lite' ? 'Uri' : 'uri', nucleus);
      if (typeof uri !== 'string') {
        throw new RecipeRefused(
          nucleus,
          nucleus === 'lite'
            ? `"Failed to validate recipe artifact" (it requires "Uri"; keys: ${Object.keys(artifact as object).join(', ')})`
            : 'an artifact has no URI',
        );
      }
      return {
        Uri: uri,
        Digest: stringField(artifact, 'Digest', nucleus),
        Unarchive: field(artifact, 'Unarchive', nucleus) as RecipeArtifact['Unarchive'] | undefined,
        Permission: readPermission(field(artifact, 'Permission', nucleus), nucleus),
      };
    }),
  };
}

function stringField(tree: unknown, key: string, nucleus: NucleusKind): string {
  const value = field(tree, key, nucleus);
  return typeof value === 'string' ? value : '';
}

function readStep(step: unknown, name: string, nucleus: NucleusKind): SelectedStep {
  if (typeof step === 'string') return { script: step, setenv: {} };
  const script = field(step, 'Script', nucleus);
  if (typeof script !== 'string')
    throw new RecipeRefused(
      nucleus,
      nucleus === 'lite' ? `${name}: "Script is not in the map"` : `${name} has no Script`,
    );
  const timeout = field(step, 'Timeout', nucleus);
  return {
    script,
    setenv: readEnv(field(step, 'Setenv', nucleus), nucleus),
    // A Timeout that is no number (Lite also takes a {configuration:...} variable there) keeps the default.
    ...(Number.isFinite(Number(timeout)) && timeout !== undefined ? { timeoutSeconds: Number(timeout) } : {}),
  };
}

function readEnv(setenv: unknown, nucleus: NucleusKind): Record<string, string> {
  if (setenv === undefined) return {};
  if (!isTree(setenv))
    throw new RecipeRefused(nucleus, nucleus === 'lite' ? '"Setenv needs to be a map."' : 'Setenv is not a map');
  return Object.fromEntries(Object.entries(setenv).map(([key, value]) => [key, String(value)]));
}

function readPermission(permission: unknown, nucleus: NucleusKind): RecipeArtifact['Permission'] | undefined {
  if (!isTree(permission)) return undefined;
  const level = (key: string) => (field(permission, key, nucleus) as RecipeArtifact['Permission']['Read']) ?? 'NONE';
  return { Read: level('Read'), Execute: level('Execute') };
}

/** The component's dependencies by name. */
export function dependencyNames(recipe: RawRecipe, nucleus: NucleusKind): string[] {
  const dependencies = field(recipe, 'ComponentDependencies', nucleus);
  return isTree(dependencies) ? Object.keys(dependencies) : [];
}

/** `ComponentConfiguration.DefaultConfiguration`, or an empty tree. */
export function defaultConfiguration(recipe: RawRecipe, nucleus: NucleusKind): Tree {
  const found = field(field(recipe, 'ComponentConfiguration', nucleus), 'DefaultConfiguration', nucleus);
  return isTree(found) ? found : {};
}
