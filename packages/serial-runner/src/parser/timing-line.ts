import type { InferenceTiming } from '@ei-gg/core';
import { parseNumber } from './parse-number';

/** `Predictions (DSP: 16 ms., Classification: 1 ms., Anomaly: 2 ms.): ` (to 2025; floats and `0ms.` too). */
const PREDICTIONS =
  /^Predictions\s*\(\s*DSP:\s*(\S+?)\s*ms\.?,\s*Classification:\s*(\S+?)\s*ms\.?,\s*Anomaly:\s*(\S+?)\s*ms\.?\s*\)\s*:?/;
/** `Timing: DSP 1 ms, inference 0 ms, anomaly 0 ms[, postprocessing 33 us]` (late 2025 on; `us` below 1 ms). */
const TIMING =
  /^Timing:\s*DSP\s+(\S+?)\s*(ms|us),\s*inference\s+(\S+?)\s*(ms|us),\s*anomaly\s+(\S+?)\s*(ms|us)(?:,\s*postprocessing\s+(\S+?)\s*(ms|us))?/;

export type TimingLine =
  { kind: 'timing'; timing: InferenceTiming; rest: string } | { kind: 'invalid'; reason: string } | undefined;

/**
 * Recognises a timing line, which opens a result block in every firmware era. `rest` is whatever followed it on
 * the same line (a missing newline), to be read as a line of its own.
 */
export function parseTimingLine(line: string): TimingLine {
  const old = PREDICTIONS.exec(line);
  if (old)
    return build(
      [
        [old[1], 'ms'],
        [old[2], 'ms'],
        [old[3], 'ms'],
      ],
      line.slice(old[0].length),
    );
  const current = TIMING.exec(line);
  if (!current) return undefined;
  const parts: Array<[string, string]> = [
    [current[1], current[2]],
    [current[3], current[4]],
    [current[5], current[6]],
  ];
  if (current[7] !== undefined) parts.push([current[7], current[8]]);
  return build(parts, line.slice(current[0].length));
}

function build(parts: Array<[string, string]>, rest: string): TimingLine {
  const ms: number[] = [];
  for (const [token, unit] of parts) {
    const n = parseNumber(token);
    if (!n.ok || n.value < 0)
      return { kind: 'invalid', reason: `timing value ${JSON.stringify(token)} is not a duration` };
    ms.push(unit === 'us' ? n.value / 1000 : n.value);
  }
  const timing: InferenceTiming = { dspMs: ms[0], classificationMs: ms[1], anomalyMs: ms[2] };
  if (ms.length > 3) timing.postprocessingMs = ms[3];
  return { kind: 'timing', timing, rest: rest.trim() };
}
