/**
 * Every typed error of core, one class per area. Each carries a machine-readable `code` (see ARCHITECTURE.md,
 * "Errors"), the `context` it happened in (never secret values), and the underlying `cause`, so logs say what
 * failed, where and why.
 */
import type { ThresholdFilterConfig } from './threshold-filter';

export type ErrorContext = Record<string, unknown>;

/** What every error class takes besides its code and message: where it happened and what caused it. */
export interface EiGgErrorOptions {
  context?: ErrorContext;
  cause?: unknown;
}

/**
 * The base of every typed error. `C` is the class's union of codes: a class with several codes is just
 * `class SecretError extends EiGgError<SecretErrorCode> {}`.
 */
export class EiGgError<C extends string = string> extends Error {
  readonly code: C;
  readonly context: ErrorContext;

  constructor(code: C, message: string, options: EiGgErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = options.context ?? {};
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(Object.keys(this.context).length ? { context: this.context } : {}),
      ...(this.cause !== undefined ? { cause: describeCause(this.cause) } : {}),
    };
  }
}

function describeCause(cause: unknown): unknown {
  if (cause instanceof EiGgError) return cause.toJSON();
  if (cause instanceof Error) return { name: cause.name, message: cause.message };
  return cause;
}

// Configuration and command line

/** One problem with one configuration key. */
export interface ConfigIssue {
  key: string;
  value: unknown;
  message: string;
}

/** Configuration is invalid; lists every problem at once, not only the first. */
export class ConfigError extends EiGgError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[], options: EiGgErrorOptions = {}) {
    super('CONFIG_INVALID', formatConfigIssues(issues), options);
    this.issues = issues;
  }
}

export function formatConfigIssues(issues: ConfigIssue[]): string {
  const lines = issues.map((i) => `  - ${i.key}: ${i.message} (got ${JSON.stringify(i.value) ?? 'undefined'})`);
  return `invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/** Command-line usage problem (unknown flag, missing value). */
export class UsageError extends EiGgError {
  constructor(message: string, options: EiGgErrorOptions = {}) {
    super('USAGE', message, options);
  }
}

/** A threshold filter setting out of range; the filter's configuration is left as it was. */
export class ThresholdFilterError extends EiGgError {
  readonly field: keyof ThresholdFilterConfig;

  constructor(field: keyof ThresholdFilterConfig, value: unknown, allowed: string) {
    super(
      'THRESHOLD_FILTER_INVALID',
      `threshold filter ${field} must be ${allowed} (got ${JSON.stringify(value) ?? 'undefined'})`,
      { context: { field, value } },
    );
    this.field = field;
  }
}

// Commands and inference requests

/** A command from the cloud could not be parsed or executed; its message goes back in the error result. */
export class CommandError extends EiGgError {
  constructor(message: string, options: EiGgErrorOptions = {}) {
    super('COMMAND_INVALID', message, options);
  }
}

/** An inference request (local topic or `infer` command) is malformed or cannot be served. */
export class TriggerError extends EiGgError {
  constructor(message: string, options: EiGgErrorOptions = {}) {
    super('INVALID_REQUEST', message, options);
  }
}

// Transports and the nucleus

/** A transport could not connect, publish or subscribe. `context` names the transport and topic. */
export class TransportError extends EiGgError {
  constructor(message: string, options: EiGgErrorOptions = {}) {
    super('TRANSPORT', message, options);
  }
}

/** An IPC operation the nucleus does not offer; the message says what it means for the component. */
export class NucleusUnsupportedError extends EiGgError {
  constructor(message: string, options: EiGgErrorOptions = {}) {
    super('NUCLEUS_UNSUPPORTED', message, options);
  }
}

// Secrets

export type SecretErrorCode =
  | 'SECRET_NOT_FOUND'
  | 'SECRET_ACCESS_DENIED'
  | 'SECRET_KEY_MISSING'
  | 'SECRET_INVALID'
  | 'SECRET_UNAVAILABLE'
  /** The source cannot serve secrets at all here (GetSecretValue on a nucleus that does not offer it). */
  | 'SECRET_UNSUPPORTED';

/** The API key secret could not be read. Messages and context name the secret and key, never a secret value. */
export class SecretError extends EiGgError<SecretErrorCode> {}

// Caches

export type FileCacheErrorCode = 'CACHE_WRITE_FAILED' | 'CACHE_ENTRY_TOO_LARGE';

/** A pair could not be cached; `context` names the directory and id, `cause` is the file-system error. */
export class FileCacheError extends EiGgError<FileCacheErrorCode> {}

export type S3CacheErrorCode = 'S3_BUCKET_MISSING' | 'S3_ACCESS_DENIED' | 'S3_BUCKET_CHECK_FAILED' | 'S3_PREFIX_UNSET';

/** The S3 cache's bucket cannot be used; `context` names the bucket and prefix. */
export class S3CacheError extends EiGgError<S3CacheErrorCode> {}

// Models and child processes

/**
 * A model (a `.eim` process or MCU firmware) returned output that does not have the expected shape. Model output
 * is external input: it is validated where it enters, and this error names the offending field so a broken model
 * or firmware build is diagnosed from one log line.
 */
export class ModelOutputError extends EiGgError {
  /** Path of the offending field, e.g. `result.bounding_boxes[2].value`. */
  readonly field: string;
  /** What the field should have been, e.g. `a finite number`. */
  readonly expected: string;

  constructor(field: string, expected: string, got: unknown, options: EiGgErrorOptions = {}) {
    const description = describeValue(got);
    super('MODEL_OUTPUT_INVALID', `invalid model output: ${field} should be ${expected}, got ${description}`, {
      ...options,
      context: { ...options.context, field, expected, got: description },
    });
    this.field = field;
    this.expected = expected;
  }
}

/** A short description of a value for messages: never the whole of a large tensor or string. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return `a ${typeof value}`;
}

/** A child process could not be started at all (no such program, not executable, out of processes). */
export class ProcessStartError extends EiGgError {
  /** The system's reason, when it gave one: ENOENT (no such program), EACCES (not executable), EAGAIN. */
  readonly errno: string | undefined;

  constructor(name: string, command: string, cause: NodeJS.ErrnoException) {
    super('PROCESS_START_FAILED', `cannot start ${name}: ${cause.message}`, { context: { name, command }, cause });
    this.errno = cause.code;
  }
}
