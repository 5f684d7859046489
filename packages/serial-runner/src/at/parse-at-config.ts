import { parseKeyValue, textLines } from './key-value-lines';

/** `AT+CONFIG?` answer: `===== Section =====` headings, each followed by `Key:   value` lines. */
export interface AtConfig {
  /** `AT Version` of the `Device info` section, e.g. `1.8.0`. */
  atVersion?: string;
  deviceId?: string;
  deviceType?: string;
  /** `Sensor` of the `Inference` section: 1 microphone, 2 accelerometer, 3 camera, ... (EI_CLASSIFIER_SENSOR). */
  sensor?: number;
  /** `Model type` of the `Inference` section: `classification`, `object_detection`, `constrained_object_detection`. */
  modelType?: string;
  /** Every section by heading (as printed, e.g. `Device info`), its keys as printed. */
  sections: Record<string, Record<string, string>>;
  /** Lines of a section that are not `Key: value` (e.g. sensor lists), by heading. */
  sectionLines: Record<string, string[]>;
}

const HEADING = /^=+\s*(.*?)\s*=+$/;
/** Lines before the first heading (firmware that prints no headings) belong here. */
const NO_SECTION = '';

/** Tolerant: unknown sections and keys are kept, missing ones stay undefined, nothing throws. */
export function parseAtConfig(text: string): AtConfig {
  const sections = new Map<string, Map<string, string>>();
  const sectionLines = new Map<string, string[]>();
  let current = NO_SECTION;
  for (const line of textLines(text)) {
    const heading = HEADING.exec(line);
    if (heading) {
      current = heading[1];
      continue;
    }
    const entry = parseKeyValue(line);
    if (entry) {
      if (!sections.has(current)) sections.set(current, new Map());
      sections.get(current)!.set(entry[0], entry[1]);
    } else {
      if (!sectionLines.has(current)) sectionLines.set(current, []);
      sectionLines.get(current)!.push(line);
    }
  }
  const find = (key: string): string | undefined => {
    for (const entries of sections.values()) {
      for (const [k, v] of entries) if (k.toLowerCase() === key) return v;
    }
    return undefined;
  };
  const sensor = Number.parseInt(find('sensor') ?? '', 10);
  return {
    atVersion: find('at version') || undefined,
    deviceId: find('id') || undefined,
    deviceType: find('type') || undefined,
    sensor: Number.isFinite(sensor) ? sensor : undefined,
    modelType: find('model type') || undefined,
    sections: Object.fromEntries([...sections].map(([name, entries]) => [name, Object.fromEntries(entries)])),
    sectionLines: Object.fromEntries(sectionLines),
  };
}
