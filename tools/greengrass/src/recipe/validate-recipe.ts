import { z } from 'zod';
import { ARCHITECTURES, type Architecture } from '../packaging/architectures';
import { LITE_MARKER } from './build-recipe';
import type { Recipe } from './recipe-types';
import { recipeToJson, recipeToYaml } from './recipe-yaml';

/**
 * Nucleus Lite reads a recipe file (`packages/recipes/<Name>-<version>.json|yaml`) into a static 8196-byte buffer
 * and refuses a larger file (aws-greengrass-lite modules/ggl-recipe/src/recipe.c, ggl_recipe_get_from_file;
 * the message is gg_file_read_path_at's, aws-greengrass-sdk-lite src/file.c). It stores a cloud deployment's
 * recipe as the JSON the cloud sends, a local deployment's as the file given.
 */
export const LITE_RECIPE_LIMIT_BYTES = 8196;

/**
 * AWS IoT Greengrass V2 service quota "Maximum size of a component recipe": 16 KB (AWS General Reference,
 * Greengrass V2 endpoints and quotas); also GGL_COMPONENT_RECIPE_MAX_LEN, Nucleus Lite's decoding arena.
 */
export const CLOUD_RECIPE_LIMIT_BYTES = 16 * 1024;

/** The longest S3 bucket name: `publish` writes the real bucket into the URIs, so sizes are checked with this one. */
export const LONGEST_BUCKET = 'b'.repeat(63);

/**
 * Plugins of the classic (Java) nucleus. Nucleus Lite resolves every dependency of a recipe except
 * aws.greengrass.Nucleus, TokenExchangeService and Cli, HARD or SOFT, for its own platform
 * (modules/ggdeploymentd/src/deployment_handler.c, resolve_dependencies), and these have no Lite build: a
 * dependency on one fails every Nucleus Lite deployment of the component.
 */
export const CLASSIC_ONLY_COMPONENTS = ['aws.greengrass.SecretManager', 'aws.greengrass.ShadowManager'];

const env = z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string());

const step = z.strictObject({
  Script: z.string().min(1),
  RequiresPrivilege: z.boolean().optional(),
  Timeout: z.number().int().positive().optional(),
  Setenv: env.optional(),
});

const permission = z.enum(['NONE', 'OWNER', 'ALL']);

const manifest = z
  .strictObject({
    Platform: z.strictObject({
      os: z.literal('linux'),
      architecture: z.enum(Object.keys(ARCHITECTURES) as [Architecture, ...Architecture[]]),
      runtime: z.enum(['aws_nucleus_lite', '*']),
    }),
    // Lowercase step names: Nucleus Lite's keys are case-sensitive (modules/recipe2unit/src/unit_file_generator.c
    // looks up `install`, `startup`, `run`); the classic nucleus keeps the lifecycle in case-insensitive Topics.
    Lifecycle: z.strictObject({ Setenv: env.optional(), install: step, run: step, recover: step.optional() }),
    Artifacts: z
      .array(
        z.strictObject({
          Uri: z.string().regex(/^s3:\/\/[^/]+\/.+\.zip$/),
          Unarchive: z.enum(['ZIP', 'NONE']),
          Permission: z.strictObject({ Read: permission, Execute: permission }),
          Digest: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
          Algorithm: z.literal('SHA-256'),
        }),
      )
      .min(1),
  })
  .superRefine((value, context) => {
    const lite = value.Platform.runtime === 'aws_nucleus_lite';
    if (lite && value.Lifecycle.recover !== undefined)
      context.addIssue({ code: 'custom', message: 'a Nucleus Lite manifest has no recover step (Lite has none)' });
    if (lite !== (value.Lifecycle.Setenv?.EI_GG_NUCLEUS === LITE_MARKER.EI_GG_NUCLEUS))
      context.addIssue({
        code: 'custom',
        message: 'EI_GG_NUCLEUS=lite is set by exactly the Nucleus Lite manifests (Lifecycle.Setenv)',
      });
  });

const recipeSchema = z.strictObject({
  RecipeFormatVersion: z.literal('2020-01-25'),
  ComponentName: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  ComponentVersion: z.string().regex(/^\d+\.\d+\.\d+$/),
  ComponentType: z.literal('aws.greengrass.generic'),
  ComponentDescription: z.string().min(1),
  ComponentPublisher: z.string().min(1),
  ComponentConfiguration: z.strictObject({
    DefaultConfiguration: z.strictObject({
      Parameters: z.record(z.string(), z.union([z.string(), z.number()])),
      accessControl: z.record(
        z.string(),
        z.record(
          z.string(),
          z.strictObject({
            policyDescription: z.string().optional(),
            operations: z.array(z.string().regex(/^aws\.greengrass#\w+$/)).min(1),
            // No recipe variable: neither nucleus substitutes them in accessControl by default.
            resources: z.array(z.string().regex(/^[^{}]+$/, 'no recipe variable in a policy resource')).min(1),
          }),
        ),
      ),
    }),
  }),
  ComponentDependencies: z.record(
    z.string(),
    z.strictObject({ VersionRequirement: z.string(), DependencyType: z.enum(['HARD', 'SOFT']) }),
  ),
  Manifests: z.array(manifest).min(1),
});

/** Variables both nuclei interpolate (Nucleus Lite has no `<dependency>:` prefixes). */
const RECIPE_VARIABLE =
  /\{(configuration:[^}]*|artifacts:path|artifacts:decompressedPath|work:path|iot:thingName|kernel:rootPath)\}/g;
const ANY_VARIABLE = /\{[\w.-]*:[^}\s]*\}/g;

export interface RecipeSize {
  /** What is measured, e.g. `JSON (as the cloud delivers it)`. */
  form: string;
  /** The file name Nucleus Lite stores it under. */
  fileName: string;
  bytes: number;
}

/**
 * The sizes of the forms a device stores: the YAML as written (a local deployment copies it), and the recipe with
 * its artifact URIs in the longest bucket as `publish` sends it (YAML) and as the cloud delivers it (JSON).
 */
export function recipeSizes(recipe: Recipe, yamlText: string): RecipeSize[] {
  const published = structuredClone(recipe);
  for (const { Artifacts } of published.Manifests ?? [])
    for (const artifact of Artifacts ?? [])
      if (typeof artifact.Uri === 'string')
        artifact.Uri = artifact.Uri.replace(/^s3:\/\/[^/]+\//, `s3://${LONGEST_BUCKET}/`);
  const base = `${recipe.ComponentName}-${recipe.ComponentVersion}`;
  return [
    { form: 'YAML (as written)', fileName: `${base}.yaml`, bytes: Buffer.byteLength(yamlText) },
    {
      form: 'YAML (published, 63-character bucket)',
      fileName: `${base}.yaml`,
      bytes: byteLength(recipeToYaml, published),
    },
    { form: 'JSON (as the cloud delivers it)', fileName: `${base}.json`, bytes: byteLength(recipeToJson, published) },
  ];
}

function byteLength(serialize: (recipe: Recipe) => string, recipe: Recipe): number {
  try {
    return Buffer.byteLength(serialize(recipe));
  } catch {
    return 0; // not serializable: the schema check names the problem
  }
}

/** Every problem with a generated recipe (empty when it is valid). */
export function recipeProblems(recipe: Recipe, yamlText: string): string[] {
  const problems: string[] = [];
  const parsed = recipeSchema.safeParse(recipe);
  if (!parsed.success) problems.push(z.prettifyError(parsed.error));
  for (const size of recipeSizes(recipe, yamlText)) {
    if (size.bytes > CLOUD_RECIPE_LIMIT_BYTES) {
      problems.push(
        `${size.form} is ${size.bytes} bytes, over the ${CLOUD_RECIPE_LIMIT_BYTES}-byte AWS IoT Greengrass quota ("Maximum size of a component recipe: 16 KB")`,
      );
    } else if (size.bytes > LITE_RECIPE_LIMIT_BYTES) {
      problems.push(
        `${size.form} is ${size.bytes} bytes, over Nucleus Lite's ${LITE_RECIPE_LIMIT_BYTES}-byte recipe buffer: Lite refuses it with "Insufficient memory for file ${size.fileName}."`,
      );
    }
  }

  const manifests = Array.isArray(recipe.Manifests) ? recipe.Manifests : [];
  const platforms = manifests.map((m) => `${m.Platform?.runtime}/${m.Platform?.architecture}`);
  if (new Set(platforms).size !== platforms.length)
    problems.push(`a runtime and architecture have two manifests: ${platforms.join(', ')}`);
  const runtimes = manifests.map((m) => m.Platform?.runtime);
  if (runtimes.lastIndexOf('aws_nucleus_lite') > runtimes.indexOf('*') && runtimes.includes('*'))
    problems.push('a runtime "*" manifest precedes a Nucleus Lite one: Lite would take it (first match wins)');
  const architectures = (runtime: string) =>
    JSON.stringify(manifests.filter((m) => m.Platform?.runtime === runtime).map((m) => m.Platform.architecture));
  if (architectures('aws_nucleus_lite') !== architectures('*'))
    problems.push(
      `the Nucleus Lite manifests cover ${architectures('aws_nucleus_lite')}, the others ${architectures('*')}`,
    );

  for (const name of Object.keys(recipe.ComponentDependencies ?? {})) {
    if (CLASSIC_ONLY_COMPONENTS.includes(name))
      problems.push(
        `depends on ${name}, a plugin of the classic nucleus: Nucleus Lite resolves every dependency but the nucleus, TokenExchangeService and Cli, finds no Lite build and fails the deployment`,
      );
  }

  const lifecycleText = JSON.stringify(manifests.map((m) => m.Lifecycle));
  const known = new Set([...lifecycleText.matchAll(RECIPE_VARIABLE)].map((match) => match[0]));
  for (const variable of new Set([...lifecycleText.matchAll(ANY_VARIABLE)].map((match) => match[0]))) {
    if (!known.has(variable)) problems.push(`unsupported recipe variable ${variable}`);
  }
  for (const variable of known) {
    const pointer = /^\{configuration:(.*)\}$/.exec(variable)?.[1];
    if (
      pointer !== undefined &&
      resolvePointer(recipe.ComponentConfiguration?.DefaultConfiguration, pointer) === undefined
    ) {
      problems.push(`${variable} names no key of DefaultConfiguration`);
    }
  }
  return problems;
}

/**
 * RFC 6901 JSON pointer lookup, as the nucleus does for `{configuration:<pointer>}`: exact keys (the classic
 * nucleus applies Jackson's JsonNode.at to the resolved configuration, KernelConfigResolver.java; Nucleus Lite
 * reads its configuration store, whose keys are exact too).
 */
export function resolvePointer(tree: unknown, pointer: string): unknown {
  if (!pointer.startsWith('/')) return undefined;
  let node: unknown = tree;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
