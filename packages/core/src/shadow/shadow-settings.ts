import type { z } from 'zod';
import type { ComponentKind } from '../component-kind';
import { PARAMETER_SHAPES, type ComponentConfigs } from '../config/parameters-schema';

/** The keys an operator may change through the device shadow's `desired` state. */
export const SHADOW_KEYS = [
  'enable_threshold_limit',
  'default_threshold',
  'threshold_criteria',
  'iotcore_backoff',
  'inference_mode',
] as const;
export type ShadowKey = (typeof SHADOW_KEYS)[number];

export interface DesiredSettings<K extends ComponentKind> {
  /** Valid values, parsed as configuration parses them. */
  values: Partial<ComponentConfigs[K]>;
  /** Every other desired key, with what was asked and why it was not applied. */
  rejected: Record<string, { value: unknown; error: string }>;
}

/**
 * Validates a shadow's desired state key by key with the configuration's own schema, so a value is accepted
 * exactly when a deployment could set it; an invalid key is rejected alone, the others still apply.
 */
export function validateDesired<K extends ComponentKind>(
  kind: K,
  desired: Record<string, unknown>,
): DesiredSettings<K> {
  const shapes = PARAMETER_SHAPES[kind] as Record<string, z.ZodType>;
  const values: Record<string, unknown> = {};
  const rejected: DesiredSettings<K>['rejected'] = {};
  for (const [key, value] of Object.entries(desired)) {
    if (value === null) continue; // a deleted key
    if (!(SHADOW_KEYS as readonly string[]).includes(key) || !(key in shapes)) {
      rejected[key] = {
        value,
        error: `not settable through the shadow; settable keys: ${SHADOW_KEYS.filter((k) => k in shapes).join(', ')}`,
      };
      continue;
    }
    const parsed = shapes[key].safeParse(value);
    if (parsed.success) values[key] = parsed.data;
    else rejected[key] = { value, error: parsed.error.issues.map((i) => i.message).join('; ') };
  }
  return { values: values as Partial<ComponentConfigs[K]>, rejected };
}
