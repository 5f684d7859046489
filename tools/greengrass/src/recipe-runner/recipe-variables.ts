import { resolvePointer } from '../recipe/validate-recipe';
import type { NucleusKind } from './read-recipe';

/** What the nucleus knows when it interpolates a component's lifecycle. */
export interface RecipeVariableValues {
  artifactsPath: string;
  decompressedPath: string;
  workPath: string;
  kernelRootPath: string;
  thingName: string;
  configuration: unknown;
}

/** A variable Nucleus Lite cannot substitute: its recipe runner exits non-zero and the step fails. */
export class UnresolvedVariable extends Error {}

/**
 * Replaces recipe variables as the nucleus does: a configuration value node becomes its string form, an object
 * node its JSON. The classic nucleus leaves a pointer to no node, or an unknown variable, untouched
 * (KernelConfigResolver.java); Nucleus Lite fails the step ("Unhandled variable substitution", or the
 * configuration read fails; modules/ggl-config-interpolation/src/interpolation.c) and writes its paths with a
 * trailing slash.
 */
export function interpolateRecipeVariables(
  text: string,
  values: RecipeVariableValues,
  nucleus: NucleusKind = 'classic',
): string {
  const slash = nucleus === 'lite' ? '/' : '';
  const fixed: Record<string, string> = {
    'artifacts:path': values.artifactsPath + slash,
    'artifacts:decompressedPath': values.decompressedPath + slash,
    'work:path': values.workPath + slash,
    'kernel:rootPath': values.kernelRootPath,
    'iot:thingName': values.thingName,
  };
  return text.replace(/\{([\w]+:[^}\s]*)\}/g, (whole, variable: string) => {
    if (Object.hasOwn(fixed, variable)) return fixed[variable];
    const node = variable.startsWith('configuration:')
      ? resolvePointer(values.configuration, variable.slice('configuration:'.length))
      : undefined;
    if (node === undefined) {
      if (nucleus === 'lite') throw new UnresolvedVariable(`Nucleus Lite cannot substitute ${whole}`);
      return whole;
    }
    return typeof node === 'string' ? node : JSON.stringify(node);
  });
}
