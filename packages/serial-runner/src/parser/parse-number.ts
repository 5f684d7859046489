/**
 * Numbers as firmware prints them with `%d`, `%f`, `%.5f` or `ei_printf_float`: `0`, `-0.067`, `0.99609`,
 * `18.000000`, `1e-05`. Nothing else: a value must be the whole token.
 */
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
/** What printf writes for NaN and infinity; such a line is invalid, not foreign. */
const NOT_FINITE = /^[-+]?(?:nan|inf(?:inity)?)$/i;

export type ParsedNumber = { ok: true; value: number } | { ok: false; notFinite: boolean };

export function parseNumber(token: string): ParsedNumber {
  const text = token.trim();
  if (NUMBER.test(text)) return { ok: true, value: Number(text) };
  return { ok: false, notFinite: NOT_FINITE.test(text) };
}
