import { z } from 'zod';

/**
 * One configuration setting as a zod schema. Greengrass hands values over as strings or numbers, so every
 * setting accepts `unknown`, treats `undefined`, `null`, `""` and `"__none__"` as unset (then the default
 * applies), and otherwise runs its own parser. The human description of what is allowed lives here once
 * and feeds both the error message and the generated documentation.
 */
export type ParseOutcome<T> = { ok: true; value: T } | { ok: false };

export interface SettingMeta {
  description: string;
  /** What is allowed, as a reader would say it ("yes or no", "an integer >= 0"). */
  allowed: string;
}

export const UNSET_MARKER = '__none__';

export function isUnset(raw: unknown): boolean {
  return raw === undefined || raw === null || raw === '' || raw === UNSET_MARKER;
}

export function setting<T>(parse: (raw: unknown) => ParseOutcome<T>, meta: SettingMeta & { default: T }): z.ZodType<T>;
export function setting<T>(
  parse: (raw: unknown) => ParseOutcome<T>,
  meta: SettingMeta & { default?: undefined },
): z.ZodType<T | undefined>;
export function setting<T>(parse: (raw: unknown) => ParseOutcome<T>, meta: SettingMeta & { default?: T }) {
  return z
    .unknown()
    .optional()
    .transform((raw, ctx) => {
      if (isUnset(raw)) return meta.default;
      const outcome = parse(raw);
      if (outcome.ok) return outcome.value;
      ctx.addIssue({ code: 'custom', message: `must be ${meta.allowed}`, input: raw });
      return z.NEVER;
    })
    .meta({ description: meta.description, allowed: meta.allowed });
}

export function readSettingMeta(schema: z.ZodType): SettingMeta {
  const meta = schema.meta() as Partial<SettingMeta> | undefined;
  return { description: meta?.description ?? '', allowed: meta?.allowed ?? '' };
}
