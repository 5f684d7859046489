import type { BoundingBox } from '@ei-gg/core';
import { parseNumber } from './parse-number';

/** Which list the lines after a header belong to. */
export type Section = 'classification' | 'regression' | 'boxes' | 'tracking' | 'grid' | 'freeform';

export interface BoxLine extends BoundingBox {
  kind: 'box';
}

/** One line inside a result block, as every firmware era prints it. */
export type ResultLine =
  | { kind: 'header'; section: Section; value?: number }
  | BoxLine
  | (Omit<BoxLine, 'kind'> & { kind: 'tracked'; objectId: number })
  | { kind: 'noObjects' }
  | { kind: 'score'; label: string; value: number }
  | { kind: 'anomaly'; value: number }
  | { kind: 'visualSummary'; mean: number; max: number }
  | { kind: 'numbers'; values: number[] }
  | { kind: 'invalid'; reason: string };

/** Headers, compared without a leading `#` (2026 added it) and case-insensitively. */
const HEADERS: Array<[RegExp, Section]> = [
  [/^(?:classification (?:results|predictions)|predictions):$/i, 'classification'],
  [/^regression results:$/i, 'regression'],
  [/^object detection (?:results|bounding boxes):$/i, 'boxes'],
  [/^object tracking results:$/i, 'tracking'],
  [/^(?:visual anomaly grid results|visual anomalies):$/i, 'grid'],
  [/^freeform output index=\d+:?$/i, 'freeform'],
];
/** `#Regression prediction: 0.5` carries its value on the header line (2026). */
const REGRESSION_PREDICTION = /^regression prediction:\s*(\S+)$/i;
/** `anomaly score: -0.067` (to 2023) and `Anomaly prediction: 0.04` (2024 on). */
const ANOMALY = /^anomaly (?:score|prediction):\s*(\S+)$/i;
/** `Visual anomaly values: Mean 0.1 Max 0.9` (2024) and `Visual anomaly mean: 0.1, max: 0.9` (late 2025). */
const VISUAL_SUMMARY = [
  /^visual anomaly values:\s*mean\s+(\S+)\s+max\s+(\S+)$/i,
  /^visual anomaly mean:\s*(\S+?),\s*max:\s*(\S+)$/i,
];
const BOX_TAIL = String.raw`\s*\[\s*x:\s*(\S+?),\s*y:\s*(\S+?),\s*width:\s*(\S+?),\s*height:\s*(\S+?)\s*\]$`;
/** `face (0.89) [ x: 8, y: 16, width: 8, height: 8 ]`; the label may itself contain parentheses. */
const BOX = new RegExp(String.raw`^(.+?)\s*\((\S+)\)` + BOX_TAIL);
/** `car (ID 3) (0.9) [ ... ]`; some SDK versions print no confidence for a trace. */
const TRACKED = new RegExp(String.raw`^(.+?)\s*\(ID\s+(\d+)\)(?:\s*\((\S+)\))?` + BOX_TAIL);
const NO_OBJECTS = /^no objects found$/i;
/** `label: 0.99` or `label: \t0.99`; the label is everything before the last `: `. */
const SCORE = /^(.*\S):\s+(\S+)$/;
/** ESP-IDF log lines (`I (286) main_task: ...`) look like scores but never are. */
const ESP_IDF_LOG = /^[EWIDV] \(\d+\) /;

/** A trace without a printed confidence counts as certain, so a threshold filter keeps it. */
const TRACE_DEFAULT_VALUE = 1;

/** Reads one trimmed line of a result block; `undefined` for a line that is not part of a result. */
export function parseResultLine(line: string): ResultLine | undefined {
  const bare = line.replace(/^#\s*/, '');
  for (const [pattern, section] of HEADERS) if (pattern.test(bare)) return { kind: 'header', section };

  const regression = REGRESSION_PREDICTION.exec(bare);
  if (regression) return withNumbers([regression[1]], ([value]) => ({ kind: 'header', section: 'regression', value }));

  for (const pattern of VISUAL_SUMMARY) {
    const m = pattern.exec(line);
    if (m) return withNumbers([m[1], m[2]], ([mean, max]) => ({ kind: 'visualSummary', mean, max }));
  }
  const anomaly = ANOMALY.exec(line);
  if (anomaly) return withNumbers([anomaly[1]], ([value]) => ({ kind: 'anomaly', value }));

  const tracked = TRACKED.exec(line);
  if (tracked) {
    const [, label, id, value, x, y, width, height] = tracked;
    return withNumbers([value ?? String(TRACE_DEFAULT_VALUE), x, y, width, height], ([v, ...box]) => ({
      kind: 'tracked',
      label,
      objectId: Number(id),
      value: v,
      ...coordinates(box),
    }));
  }
  const box = BOX.exec(line);
  if (box) {
    const [, label, value, x, y, width, height] = box;
    return withNumbers([value, x, y, width, height], ([v, ...rest]) => ({
      kind: 'box',
      label,
      value: v,
      ...coordinates(rest),
    }));
  }
  if (NO_OBJECTS.test(line)) return { kind: 'noObjects' };

  const score = SCORE.exec(line);
  if (score && !ESP_IDF_LOG.test(line)) {
    return withNumbers([score[2]], ([value]) => ({ kind: 'score', label: score[1], value }), true);
  }
  const tokens = line.split(/\s+/);
  return withNumbers(tokens, (values) => ({ kind: 'numbers', values }), true);
}

function coordinates([x, y, width, height]: number[]): { x: number; y: number; width: number; height: number } {
  return { x, y, width, height };
}

/**
 * Parses every token; `nan`/`inf` make the line invalid (reported, never stored). Any other non-number makes
 * the line foreign (`undefined`) when `foreignIfNotNumber`, since e.g. `Storing in file name: /fs/x` is no score;
 * on lines whose shape is unmistakable it makes them invalid.
 */
function withNumbers(
  tokens: string[],
  make: (values: number[]) => ResultLine,
  foreignIfNotNumber = false,
): ResultLine | undefined {
  const values: number[] = [];
  for (const token of tokens) {
    const n = parseNumber(token);
    if (n.ok) {
      values.push(n.value);
      continue;
    }
    if (n.notFinite) return { kind: 'invalid', reason: `${JSON.stringify(token)} is not a finite number` };
    return foreignIfNotNumber ? undefined : { kind: 'invalid', reason: `${JSON.stringify(token)} is not a number` };
  }
  return make(values);
}
