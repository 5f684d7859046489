import { parseKeyValue, textLines } from './key-value-lines';

/**
 * `AT+INFO` answer (firmware-sdk `at_info()`, AT 1.8): a `* Edge Impulse firmware *` box, then
 * `ML model name        : <name>`, `ML model ID          : <id>`, `Model deploy version : <n>`,
 * `ML model author`, `Edge Impulse version : v1.2.3`, `Used sensor`, `Firmware build date/time`.
 */
export interface AtInfo {
  modelName?: string;
  modelId?: number;
  deployVersion?: number;
  modelAuthor?: string;
  edgeImpulseVersion?: string;
  usedSensor?: string;
  /** Every `Key : value` line, keys as printed. */
  entries: Record<string, string>;
}

/** Tolerant of spacing, case and extra keys; absent keys stay undefined. */
export function parseAtInfo(text: string): AtInfo {
  const entries = new Map<string, string>();
  for (const line of textLines(text)) {
    const entry = parseKeyValue(line);
    if (entry) entries.set(entry[0], entry[1]);
  }
  const find = (...keys: string[]): string | undefined => {
    for (const [k, v] of entries) if (keys.includes(k.toLowerCase()) && v) return v;
    return undefined;
  };
  return {
    modelName: find('ml model name', 'model name', 'project name'),
    modelId: integer(find('ml model id', 'model id', 'project id')),
    deployVersion: integer(find('model deploy version', 'deploy version')),
    modelAuthor: find('ml model author', 'model author', 'project owner'),
    edgeImpulseVersion: find('edge impulse version'),
    usedSensor: find('used sensor'),
    entries: Object.fromEntries(entries),
  };
}

function integer(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}
