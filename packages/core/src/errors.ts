/**
 * Typed errors for the whole product. Each carries a machine-readable `code`, the `context` it happened in
 * (never secret values), and the underlying `cause`, so logs say what failed, where and why.
 */
export type ErrorContext = Record<string, unknown>;

export class EiGgError extends Error {
  readonly code: string;
  readonly context: ErrorContext;

  constructor(code: string, message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
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

/** One problem with one configuration key. */
export interface ConfigIssue {
  key: string;
  value: unknown;
  message: string;
}

/** Configuration is invalid; lists every problem at once, not only the first. */
export class ConfigError extends EiGgError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[], options: { context?: ErrorContext; cause?: unknown } = {}) {
    super('CONFIG_INVALID', formatConfigIssues(issues), options);
    this.issues = issues;
  }
}

/** A command from the cloud could not be parsed or executed; its message goes back in the error result. */
export class CommandError extends EiGgError {
  constructor(message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super('COMMAND_INVALID', message, options);
  }
}

/** Command-line usage problem (unknown flag, missing value). */
export class UsageError extends EiGgError {
  constructor(message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super('USAGE', message, options);
  }
}

export function formatConfigIssues(issues: ConfigIssue[]): string {
  const lines = issues.map((i) => `  - ${i.key}: ${i.message} (got ${JSON.stringify(i.value) ?? 'undefined'})`);
  return `invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

function describeCause(cause: unknown): unknown {
  if (cause instanceof EiGgError) return cause.toJSON();
  if (cause instanceof Error) return { name: cause.name, message: cause.message };
  return cause;
}

/** A transport could not connect, publish or subscribe. `context` names the transport and topic. */
export class TransportError extends EiGgError {
  constructor(message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super('TRANSPORT', message, options);
  }
}

/** An inference request (local topic or `infer` command) is malformed or cannot be served. */
export class TriggerError extends EiGgError {
  constructor(message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super('INVALID_REQUEST', message, options);
  }
}
