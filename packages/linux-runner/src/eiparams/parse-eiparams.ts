import type { FlagRequests } from './flag-requests';
import { findRunnerFlag, type FlagHandling } from './runner-flags';

/** One flag as given in `eiparams` and what became of it. */
export interface FlagOutcome {
  flag: string;
  /** As given; `<redacted>` for a secret. */
  value?: string;
  handling: FlagHandling | 'invalid' | 'unknown';
  /** Honoured: the effective setting it changed (a path in RunnerSettings). */
  sets?: string;
}

export interface ParsedEiparams {
  requests: FlagRequests;
  flags: FlagOutcome[];
  /** Flags ignored (refused, unknown, stray words, repeated): the component starts and says so. */
  warnings: string[];
  /** Bad values, unsafe flags, contradicting flags: the component does not start. Each names its flag. */
  problems: string[];
  /** `eiparams` as given, with secret values replaced: what may be shown. */
  shown: string[];
}

const REDACTED = '<redacted>';

/**
 * Reads `eiparams` (already split into arguments) the way edge-impulse-linux-runner's command line did:
 * `--flag value` or `--flag=value`, the last of a repeated flag wins. Every message names the flag, and for a
 * bad value the value and what is allowed.
 */
export function parseEiparams(args: readonly string[]): ParsedEiparams {
  const requests: FlagRequests = {};
  const flags: FlagOutcome[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const shownArgs = [...args];
  for (let i = 0; i < args.length; i++) {
    const token = args[i];
    if (!token.startsWith('-')) {
      warnings.push(`eiparams: "${token}" is not a flag (edge-impulse-linux-runner takes no arguments); ignored`);
      continue;
    }
    const equals = token.startsWith('--') ? token.indexOf('=') : -1;
    const name = equals < 0 ? token : token.slice(0, equals);
    const inline = equals < 0 ? undefined : token.slice(equals + 1);
    const spec = findRunnerFlag(name);
    const next = args[i + 1];
    const nextIsValue = next !== undefined && !next.startsWith('-');
    if (!spec) {
      // Its value, if it has one, would only add a second warning.
      const value = inline ?? (nextIsValue ? args[++i] : undefined);
      flags.push({ flag: name, value, handling: 'unknown' });
      warnings.push(`eiparams: ${name} is not a flag of edge-impulse-linux-runner; ignored`);
      continue;
    }
    const value = spec.value ? (inline ?? (nextIsValue ? args[++i] : undefined)) : inline;
    const shown = spec.secret && value !== undefined ? REDACTED : value;
    if (spec.secret && value !== undefined)
      if (inline === undefined) shownArgs[i] = REDACTED;
      else shownArgs[i] = `${name}=${REDACTED}`;
    const invalid = (message: string) => {
      flags.push({ flag: name, value: shown, handling: 'invalid' });
      problems.push(message);
    };
    if (spec.value && !value) {
      invalid(`${name} needs a value: ${spec.value}`);
      continue;
    }
    if (!spec.value && value !== undefined) {
      invalid(`${name} takes no value (got "${value}")`);
      continue;
    }
    if (seen.has(name) && spec.value)
      warnings.push(
        `eiparams: ${name} is given more than once; the last one${spec.secret ? '' : ` ("${value}")`} is used`,
      );
    seen.add(name);
    if (spec.handling === 'unsafe') {
      invalid(`${name} is refused: ${spec.here}`);
      continue;
    }
    const error = spec.apply?.(requests, value ?? '');
    if (error) {
      invalid(`${name} "${value}": ${error}`);
      continue;
    }
    flags.push({ flag: name, value: shown, handling: spec.handling, ...(spec.sets ? { sets: spec.sets } : {}) });
    if (spec.handling === 'refused') warnings.push(`eiparams: ${name} is not honoured: ${spec.here}`);
  }
  problems.push(...contradictions(requests));
  return { requests, flags, warnings, problems, shown: shownArgs };
}

/** Pairs edge-impulse-linux-runner refused too. */
function contradictions(requests: FlagRequests): string[] {
  const problems: string[] = [];
  if (requests.variant && requests.quantized)
    problems.push('--force-variant and --quantized cannot be combined; keep one');
  if (requests.mode === 'streaming' && requests.httpServerPort !== undefined)
    problems.push('--mode streaming and --run-http-server cannot be combined; keep one');
  if (requests.gstSource && requests.gstLaunchArgs)
    problems.push('--gst-source and --gst-launch-args cannot be combined; keep one');
  return problems;
}
