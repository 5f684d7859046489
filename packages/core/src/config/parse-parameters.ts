import { COMPONENTS, COMPONENT_KINDS, type ComponentKind } from '../component-kind';
import { ConfigError, type ConfigIssue } from '../errors';
import { parseNumber } from './coercions';
import { PARAMETER_SCHEMAS, PARAMETER_SHAPES, type ComponentConfigs } from './parameters-schema';

export interface ParsedParameters<K extends ComponentKind> {
  config: ComponentConfigs[K];
  /** Things the user should know that do not stop the component (percentage threshold, ignored keys). */
  warnings: string[];
}

/**
 * Validates a component's configuration, given either Greengrass-shaped (`{"Parameters":{...}}`) or flat.
 * Throws a ConfigError listing every problem at once; never swaps in a default for an invalid value.
 */
export function parseParameters<K extends ComponentKind>(kind: K, input: unknown): ParsedParameters<K> {
  const parameters = unwrapParameters(input);
  const result = PARAMETER_SCHEMAS[kind].safeParse(parameters);
  if (!result.success) {
    const issues: ConfigIssue[] = result.error.issues.map((issue) => {
      const key = issue.path.length ? issue.path.map(String).join('.') : '(configuration)';
      return { key, value: parameters[String(issue.path[0])], message: issue.message };
    });
    throw new ConfigError(issues, { context: { component: COMPONENTS[kind].componentName } });
  }
  return { config: result.data as ComponentConfigs[K], warnings: collectWarnings(kind, parameters) };
}

function unwrapParameters(input: unknown): Record<string, unknown> {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(input)) {
    throw new ConfigError([
      { key: '(configuration)', value: input, message: 'must be a JSON object, flat or {"Parameters":{...}}' },
    ]);
  }
  if ('Parameters' in input) {
    if (!isObject(input.Parameters)) {
      throw new ConfigError([
        { key: 'Parameters', value: input.Parameters, message: 'must be a JSON object of settings' },
      ]);
    }
    return input.Parameters;
  }
  return input;
}

function collectWarnings(kind: ComponentKind, parameters: Record<string, unknown>): string[] {
  const warnings: string[] = [];
  const known = PARAMETER_SHAPES[kind] as Record<string, unknown>;
  for (const key of Object.keys(parameters)) {
    if (key in known) continue;
    const usedBy = COMPONENT_KINDS.filter((k) => key in PARAMETER_SHAPES[k]).map((k) => COMPONENTS[k].componentName);
    warnings.push(
      usedBy.length
        ? `${key}: not used by ${COMPONENTS[kind].componentName} (only by ${usedBy.join(', ')}); ignored`
        : `${key}: unknown key; ignored`,
    );
  }
  for (const key of ['node_version', 'vips_version']) {
    if (key in known && parameters[key] !== undefined)
      warnings.push(`${key}: ignored; the artifact is self-contained (bundled Node.js runtime and libvips)`);
  }
  const threshold = parseNumber(parameters.default_threshold);
  if ('default_threshold' in known && threshold.ok && threshold.value > 1 && threshold.value <= 100)
    warnings.push(
      `default_threshold: ${threshold.value} read as a percentage; effective threshold ${threshold.value / 100} (use a value in (0, 1])`,
    );
  return warnings;
}
