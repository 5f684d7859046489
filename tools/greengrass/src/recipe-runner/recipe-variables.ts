import { resolvePointer } from '../recipe/validate-recipe';

/** What the nucleus knows when it interpolates a component's lifecycle. */
export interface RecipeVariableValues {
  artifactsPath: string;
  decompressedPath: string;
  workPath: string;
  kernelRootPath: string;
  thingName: string;
  configuration: unknown;
}

/**
 * Replaces recipe variables as the nucleus does: a configuration value node becomes its string form, an
 * object node its JSON, and a pointer to no node is left untouched.
 */
export function interpolateRecipeVariables(text: string, values: RecipeVariableValues): string {
  const fixed: Record<string, string> = {
    'artifacts:path': values.artifactsPath,
    'artifacts:decompressedPath': values.decompressedPath,
    'work:path': values.workPath,
    'kernel:rootPath': values.kernelRootPath,
    'iot:thingName': values.thingName,
  };
  return text.replace(/\{([\w]+:[^}\s]*)\}/g, (whole, variable: string) => {
    if (Object.hasOwn(fixed, variable)) return fixed[variable];
    if (!variable.startsWith('configuration:')) return whole;
    const node = resolvePointer(values.configuration, variable.slice('configuration:'.length));
    if (node === undefined) return whole;
    return typeof node === 'string' ? node : JSON.stringify(node);
  });
}
