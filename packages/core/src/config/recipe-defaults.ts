import type { ComponentKind } from '../component-kind';
import { UNSET_MARKER, readSettingMeta } from './setting';
import { PARAMETER_SCHEMAS, PARAMETER_SHAPES } from './parameters-schema';

/** A value as the original recipes write it: `yes`/`no`, `__none__`, space-separated lists. */
export function toRecipeValue(value: unknown): string | number {
  if (value === undefined) return UNSET_MARKER;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.join(' ');
  if (typeof value === 'number') return value;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The recipe's `DefaultConfiguration.Parameters`, derived from the schema defaults. */
export function defaultRecipeParameters(kind: ComponentKind): Record<string, string | number> {
  const defaults = PARAMETER_SCHEMAS[kind].parse({}) as Record<string, unknown>;
  return Object.fromEntries(Object.keys(PARAMETER_SHAPES[kind]).map((key) => [key, toRecipeValue(defaults[key])]));
}

export interface ParameterDoc {
  key: string;
  default: string | number;
  allowed: string;
  description: string;
}

export function describeParameters(kind: ComponentKind): ParameterDoc[] {
  const defaults = defaultRecipeParameters(kind);
  return Object.entries(PARAMETER_SHAPES[kind]).map(([key, schema]) => ({
    key,
    default: defaults[key],
    ...readSettingMeta(schema),
  }));
}
