import type { ParseOutcome } from './setting';

/** Value parsers shared by the settings. Each accepts what Greengrass and people actually send. */
const ok = <T>(value: T): ParseOutcome<T> => ({ ok: true, value });
const fail: ParseOutcome<never> = { ok: false };

const TRUE_WORDS = new Set(['yes', 'true']);
const FALSE_WORDS = new Set(['no', 'false']);

/** `yes`/`no` (the original recipes' form), `true`/`false` and booleans, case-insensitive. */
export function parseFlag(raw: unknown): ParseOutcome<boolean> {
  if (typeof raw === 'boolean') return ok(raw);
  if (typeof raw !== 'string') return fail;
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return fail;
}

/** A finite number, given as a number or a numeric string (`"5"`, `" 0.7 "`, `"1e3"`). */
export function parseNumber(raw: unknown): ParseOutcome<number> {
  if (typeof raw === 'number') return Number.isFinite(raw) ? ok(raw) : fail;
  if (typeof raw !== 'string' || raw.trim() === '') return fail;
  const n = Number(raw.trim());
  return Number.isFinite(n) ? ok(n) : fail;
}

export function parseInteger(raw: unknown, min = -Infinity, max = Infinity): ParseOutcome<number> {
  const n = parseNumber(raw);
  if (!n.ok || !Number.isInteger(n.value) || n.value < min || n.value > max) return fail;
  return n;
}

export function parseString(raw: unknown, pattern?: RegExp): ParseOutcome<string> {
  if (typeof raw !== 'string' && typeof raw !== 'number') return fail;
  const s = String(raw).trim();
  if (s === '' || (pattern && !pattern.test(s))) return fail;
  return ok(s);
}

/** One of a fixed list of words, case-insensitive; aliases map to their canonical word. */
export function parseChoice<T extends string>(
  raw: unknown,
  choices: readonly T[],
  aliases: Record<string, T> = {},
): ParseOutcome<T> {
  if (typeof raw !== 'string') return fail;
  const word = raw.trim().toLowerCase();
  const found = choices.find((c) => c === word) ?? aliases[word];
  return found ? ok(found) : fail;
}

/** A whitespace-separated list (`"video audio input users"`) or a JSON array of strings. */
export function parseWordList(raw: unknown, wordPattern: RegExp): ParseOutcome<string[]> {
  const words = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.trim().split(/\s+/) : undefined;
  if (!words || words.length === 0) return fail;
  return words.every((w) => typeof w === 'string' && wordPattern.test(w)) ? ok(words as string[]) : fail;
}
