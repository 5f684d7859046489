import { z } from 'zod';
import { ARCHITECTURES, type Architecture } from '../packaging/architectures';
import type { Recipe } from './recipe-types';

/**
 * AWS IoT Greengrass V2 service quota "Maximum size of a component recipe": 16 KB (AWS General Reference,
 * Greengrass V2 endpoints and quotas). Checked on the YAML text that `publish` sends as `inlineRecipe`.
 */
export const RECIPE_SIZE_LIMIT_BYTES = 16 * 1024;

const step = z.strictObject({
  Script: z.string().min(1),
  RequiresPrivilege: z.boolean().optional(),
  Timeout: z.number().int().positive().optional(),
  Setenv: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string()).optional(),
});

const permission = z.enum(['NONE', 'OWNER', 'ALL']);

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
            policyDescription: z.string(),
            operations: z.array(z.string().regex(/^aws\.greengrass#\w+$/)).min(1),
            resources: z.array(z.string().min(1)).min(1),
          }),
        ),
      ),
    }),
  }),
  ComponentDependencies: z.record(
    z.string(),
    z.strictObject({ VersionRequirement: z.string(), DependencyType: z.enum(['HARD', 'SOFT']) }),
  ),
  Manifests: z
    .array(
      z.strictObject({
        Platform: z.strictObject({
          os: z.literal('linux'),
          architecture: z.enum(Object.keys(ARCHITECTURES) as [Architecture, ...Architecture[]]),
          runtime: z.literal('*'),
        }),
        Lifecycle: z.strictObject({ Install: step, Run: step, Recover: step }),
        Artifacts: z
          .array(
            z.strictObject({
              URI: z.string().regex(/^s3:\/\/[^/]+\/.+\.zip$/),
              Unarchive: z.enum(['ZIP', 'NONE']),
              Permission: z.strictObject({ Read: permission, Execute: permission }),
              Digest: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
              Algorithm: z.literal('SHA-256'),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

/** Variables both nuclei interpolate (Nucleus Lite has no `<dependency>:` prefixes). */
const RECIPE_VARIABLE =
  /\{(configuration:[^}]*|artifacts:path|artifacts:decompressedPath|work:path|iot:thingName|kernel:rootPath)\}/g;
const ANY_VARIABLE = /\{[\w.-]*:[^}\s]*\}/g;

/** Every problem with a generated recipe (empty when it is valid). */
export function recipeProblems(recipe: Recipe, yamlText: string): string[] {
  const problems: string[] = [];
  const parsed = recipeSchema.safeParse(recipe);
  if (!parsed.success) problems.push(z.prettifyError(parsed.error));
  const size = Buffer.byteLength(yamlText);
  if (size > RECIPE_SIZE_LIMIT_BYTES)
    problems.push(`recipe is ${size} bytes, over the ${RECIPE_SIZE_LIMIT_BYTES}-byte Greengrass limit`);

  const architectures = recipe.Manifests.map((manifest) => manifest.Platform.architecture);
  if (new Set(architectures).size !== architectures.length)
    problems.push(`an architecture has two manifests: ${architectures.join(', ')}`);

  const lifecycleText = JSON.stringify(recipe.Manifests.map((manifest) => manifest.Lifecycle));
  const known = new Set([...lifecycleText.matchAll(RECIPE_VARIABLE)].map((match) => match[0]));
  for (const variable of new Set([...lifecycleText.matchAll(ANY_VARIABLE)].map((match) => match[0]))) {
    if (!known.has(variable)) problems.push(`unsupported recipe variable ${variable}`);
  }
  for (const variable of known) {
    const pointer = /^\{configuration:(.*)\}$/.exec(variable)?.[1];
    if (
      pointer !== undefined &&
      resolvePointer(recipe.ComponentConfiguration.DefaultConfiguration, pointer) === undefined
    ) {
      problems.push(`${variable} names no key of DefaultConfiguration`);
    }
  }
  return problems;
}

/** RFC 6901 JSON pointer lookup, as the nucleus does for `{configuration:<pointer>}`. */
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
