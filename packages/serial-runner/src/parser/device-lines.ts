import { isBootBanner } from './boot-banner';

/** Lines about the device and the run rather than about one result. */
export type DeviceLine =
  | { kind: 'banner' }
  /** `Starting inferencing in 2 seconds...`, `Starting inferencing, press 'b' to break`, `Finished inferencing, ...` */
  | { kind: 'runBoundary' }
  | { kind: 'stopped' }
  | { kind: 'invalidCommand'; command: string }
  | { kind: 'firmwareError'; message: string }
  | { kind: 'allocationError' }
  | { kind: 'settingsStart' }
  /** Syntiant NDP firmware prints only `Match: NN0:<label>` per detection, with no timing. */
  | { kind: 'match'; label: string };

/** The AT server's three answers to input it cannot run, with the input in parentheses. */
const INVALID_COMMAND = /(?:Not a valid AT command|No handler for command!|Command not found!)\s*(?:\((.*?)\)?)?$/;
const FIRMWARE_ERROR = /^ERR:\s*(.*)$/;
/** Allocation failures come from many places in the SDK and ports, most without the `ERR:` prefix. */
const ALLOCATION_ERROR = /failed to allocate|allocation failed|out of memory/i;
const MATCH = /^Match:\s*NN\d+:(.+)$/;

export function parseDeviceLine(line: string): DeviceLine | undefined {
  if (isBootBanner(line)) return { kind: 'banner' };
  if (/^(?:Starting|Finished) inferencing\b/.test(line)) return { kind: 'runBoundary' };
  if (line.includes('Inferencing stopped by user')) return { kind: 'stopped' };
  const invalid = INVALID_COMMAND.exec(line);
  if (invalid) return { kind: 'invalidCommand', command: invalid[1] ?? '' };
  const error = FIRMWARE_ERROR.exec(line);
  if (error) return { kind: 'firmwareError', message: error[1] };
  if (ALLOCATION_ERROR.test(line)) return { kind: 'allocationError' };
  if (/^Inferencing settings:/.test(line)) return { kind: 'settingsStart' };
  const match = MATCH.exec(line);
  if (match) return { kind: 'match', label: match[1].trim() };
  return undefined;
}
