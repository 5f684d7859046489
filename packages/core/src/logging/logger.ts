/**
 * Structured JSON logger: one JSON object per line, on stderr by default (stdout belongs to the stdout
 * transport). Child loggers add fixed keys. Values registered as secret are replaced by `[REDACTED]`
 * wherever they appear, in messages and in nested fields alike.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
export const LOG_LEVELS = Object.keys(LEVEL_ORDER) as LogLevel[];

export interface LogSink {
  write(line: string): unknown;
}

/** Secrets shared by a logger and all its children. */
export class SecretRegistry {
  private readonly secrets = new Set<string>();

  /** Register a secret; strings shorter than 4 characters are ignored (redacting them would mangle logs). */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('[REDACTED]');
    return out;
  }

  get size(): number {
    return this.secrets.size;
  }
}

export interface LoggerOptions {
  level?: LogLevel;
  sink?: LogSink;
  fields?: Record<string, unknown>;
  secrets?: SecretRegistry;
  clock?: () => Date;
}

export class Logger {
  readonly secrets: SecretRegistry;
  private level: LogLevel;
  private readonly sink: LogSink;
  private readonly fields: Record<string, unknown>;
  private readonly clock: () => Date;

  constructor(options: LoggerOptions = {}) {
    this.level = options.level ?? 'info';
    this.sink = options.sink ?? process.stderr;
    this.fields = options.fields ?? {};
    this.secrets = options.secrets ?? new SecretRegistry();
    this.clock = options.clock ?? (() => new Date());
  }

  child(fields: Record<string, unknown>): Logger {
    return new Logger({
      level: this.level,
      sink: this.sink,
      fields: { ...this.fields, ...fields },
      secrets: this.secrets,
      clock: this.clock,
    });
  }

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  isEnabled(level: LogLevel): boolean {
    return LEVEL_ORDER[level] >= LEVEL_ORDER[this.level] && level !== 'silent';
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }

  private log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (!this.isEnabled(level)) return;
    const entry = { ts: this.clock().toISOString(), level, msg: message, ...this.fields, ...fields };
    const line = JSON.stringify(entry, errorReplacer);
    this.sink.write(this.secrets.redact(line) + '\n');
  }
}

/** Errors serialise to their useful parts instead of `{}`. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const withJson = value as Error & { toJSON?: () => unknown };
    if (typeof withJson.toJSON === 'function') return withJson.toJSON();
    return { name: value.name, message: value.message, ...(value.cause !== undefined ? { cause: value.cause } : {}) };
  }
  return value;
}
