/**
 * `Key:   value` and `Key  : value` lines as AT answers print them; the key ends at the first `:`. Lines without
 * one return undefined.
 */
export function parseKeyValue(line: string): [key: string, value: string] | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0) return undefined;
  const key = line.slice(0, colon).trim();
  return key ? [key, line.slice(colon + 1).trim()] : undefined;
}

/** Splits text into trimmed, non-empty lines, whatever the line endings. */
export function textLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}
