import type { Logger } from './logger';

/**
 * The stable part of an error, for keying repeated failures: the codes along its cause chain, joined with `/`
 * (`CACHE_WRITE_FAILED/ENOSPC` for a typed error caused by a full disk, `ENOSPC` for the bare Node error), else
 * its name. Messages are not part of it: "no space writing a.json" and "no space writing b.json" are one fault.
 */
export function errorCode(err: unknown): string {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if ((typeof code === 'string' && code) || typeof code === 'number') codes.push(String(code));
    current = (current as { cause?: unknown }).cause;
  }
  if (codes.length) return codes.join('/');
  const name = (err as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name ? name : 'UNKNOWN';
}

function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | undefined)?.message; // not instanceof: errors cross realms
  return typeof message === 'string' ? message : String(err);
}

/** What a subject's fault looks like now, for status answers (`get_status`, metrics). Times are epoch ms. */
export interface FaultStatus {
  state: 'ok' | 'failing';
  /** While failing: the latest error's {@link errorCode} and message. */
  code?: string;
  error?: string;
  /** While failing: when the fault began, how many attempts failed since, and when the latest did. */
  since?: number;
  failures?: number;
  last_failure?: number;
}

/** A subject started failing, or recovered: exactly one of each per fault, for a report to the operator. */
export interface FaultChange {
  subject: string;
  state: 'failing' | 'ok';
  /** The error that started the fault (failing), or the last one before it cleared (ok). */
  code: string;
  error: string;
  /** When the fault began. */
  since: number;
  /** Failed attempts: 1 when it starts, the total when it clears. */
  failures: number;
  /** When this change happened. */
  at: number;
}

export interface RepeatedErrorLogOptions {
  logger: Logger;
  /** At most one line per fault kind in this interval; the failures between are counted in a summary (60 s). */
  intervalMs?: number;
  /**
   * A failing subject recovers once it has succeeded and then not failed for this long (default 10 s), so an
   * operation that fails now and then (a nearly full disk: small writes pass, large ones fail) stays one fault
   * instead of a start and a clear per attempt. A success after a longer quiet time recovers at once.
   */
  settleMs?: number;
  /**
   * Epoch milliseconds, for the times reported; injectable for tests, and then also the clock of intervals, which
   * otherwise are measured on the monotonic clock (the wall clock jumps when NTP corrects it).
   */
  clock?: () => number;
  /** Level of the failure and summary lines (default `error`); `recovered` is `info`. */
  level?: 'warn' | 'error';
  /** Called once when a subject starts failing and once when it recovers (e.g. to report on `command/output`). */
  onChange?: (change: FaultChange) => void;
}

interface FaultKind {
  /** Monotonic. */
  lastLoggedAt: number;
  /** Failures since the last line that named this kind. */
  unlogged: number;
}

interface Fault {
  since: number;
  failures: number;
  lastFailureAt: number;
  /** Monotonic readings of `since` and `lastFailureAt`, for durations. */
  began: number;
  lastFailed: number;
  lastError: { code: string; message: string };
  kinds: Map<string, FaultKind>;
  settleTimer?: NodeJS.Timeout;
}

/**
 * Log discipline for errors that repeat: an operation that fails on every attempt (a full disk under a cache
 * written once per inference, a broker refusing a topic) must not write a line per attempt, or the log fills the
 * very disk that is full and buries everything else. For each subject (the operation: `file cache write`) and
 * each kind of error ({@link errorCode}: `ENOSPC`), the first failure is logged in full; further ones are counted
 * and logged as one `still failing` summary with the count at most once per interval; when the subject succeeds
 * again (see `settleMs`) one `recovered` line says how many attempts failed and for how long. `onChange` sees
 * the same fault start and clear exactly once each, which is what an operator report (`command/output`) needs,
 * and `status()` is the state for a status answer.
 *
 * Key by the operation, never by a message or an id: "ENOSPC writing file X" for a thousand files is one fault.
 *
 * @example
 * ```ts
 * const faults = new RepeatedErrorLog({ logger, onChange: (c) => void report(c) });
 * async function publishLocal(payload: Payload): Promise<void> {
 *   try {
 *     await runtime.publishToTopic(topic, payload);
 *     faults.succeeded('local results publish');
 *   } catch (err) {
 *     faults.failed('local results publish', err, { topic }); // never `logger.error(...)` per attempt
 *   }
 * }
 * // get_status: { local_results: faults.status('local results publish') }
 * ```
 */
export class RepeatedErrorLog {
  private readonly faults = new Map<string, Fault>();
  private readonly intervalMs: number;
  private readonly settleMs: number;
  private readonly clock: () => number;
  private readonly elapsed: () => number;
  private readonly level: 'warn' | 'error';

  constructor(private readonly options: RepeatedErrorLogOptions) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.settleMs = options.settleMs ?? 10_000;
    this.clock = options.clock ?? Date.now;
    this.elapsed = options.clock ?? (() => performance.now());
    this.level = options.level ?? 'error';
  }

  /** Subjects failing now. */
  get failing(): string[] {
    return [...this.faults.keys()];
  }

  /** Records a failed attempt of `subject`; logs it only if it is the first of its kind or a summary is due. */
  failed(subject: string, err: unknown, fields: Record<string, unknown> = {}): void {
    const now = this.clock();
    const tick = this.elapsed();
    const error = { code: errorCode(err), message: messageOf(err) };
    let fault = this.faults.get(subject);
    const starts = fault === undefined;
    if (!fault) {
      fault = {
        since: now,
        failures: 0,
        lastFailureAt: now,
        began: tick,
        lastFailed: tick,
        lastError: error,
        kinds: new Map(),
      };
      this.faults.set(subject, fault);
    }
    clearTimeout(fault.settleTimer);
    fault.settleTimer = undefined;
    fault.failures += 1;
    fault.lastFailureAt = now;
    fault.lastFailed = tick;
    fault.lastError = error;
    const log = this.options.logger;
    const kind = fault.kinds.get(error.code);
    if (!kind) {
      fault.kinds.set(error.code, { lastLoggedAt: tick, unlogged: 0 });
      log[this.level](`${subject} failed`, {
        fault: subject,
        code: error.code,
        ...fields,
        err,
        ...(starts ? {} : { failing_since: new Date(fault.since).toISOString() }),
        repeats: `summarised every ${this.intervalMs / 1000} s until it recovers`,
      });
    } else {
      kind.unlogged += 1;
      if (tick - kind.lastLoggedAt >= this.intervalMs) {
        log[this.level](`${subject} still failing`, {
          fault: subject,
          code: error.code,
          repeated: kind.unlogged,
          over_s: (tick - kind.lastLoggedAt) / 1000,
          failing_since: new Date(fault.since).toISOString(),
          ...fields,
          err,
        });
        kind.lastLoggedAt = tick;
        kind.unlogged = 0;
      }
    }
    if (starts) {
      this.notify({
        subject,
        state: 'failing',
        code: error.code,
        error: error.message,
        since: now,
        failures: 1,
        at: now,
      });
    }
  }

  /** Records a successful attempt of `subject`; if it was failing, it recovers (now, or once settled). */
  succeeded(subject: string): void {
    const fault = this.faults.get(subject);
    if (!fault) return;
    const quietMs = this.elapsed() - fault.lastFailed;
    if (quietMs >= this.settleMs) return this.recover(subject, fault);
    if (fault.settleTimer) return;
    // Any failure before the timer fires cancels it (failed() clears it): the fault then goes on.
    fault.settleTimer = setTimeout(() => {
      fault.settleTimer = undefined;
      if (this.faults.get(subject) === fault) this.recover(subject, fault);
    }, this.settleMs - quietMs);
    fault.settleTimer.unref();
  }

  /** The subject's state now. */
  status(subject: string): FaultStatus {
    const fault = this.faults.get(subject);
    if (!fault) return { state: 'ok' };
    return {
      state: 'failing',
      code: fault.lastError.code,
      error: fault.lastError.message,
      since: fault.since,
      failures: fault.failures,
      last_failure: fault.lastFailureAt,
    };
  }

  /** Stops pending settle timers and logs the failures no line has counted yet (call when shutting down). */
  close(): void {
    for (const [subject, fault] of this.faults) {
      clearTimeout(fault.settleTimer);
      fault.settleTimer = undefined;
      for (const [code, kind] of fault.kinds) {
        if (kind.unlogged === 0) continue;
        this.options.logger[this.level](`${subject} still failing`, {
          fault: subject,
          code,
          repeated: kind.unlogged,
          over_s: (this.elapsed() - kind.lastLoggedAt) / 1000,
          failing_since: new Date(fault.since).toISOString(),
        });
        kind.unlogged = 0;
      }
    }
  }

  private recover(subject: string, fault: Fault): void {
    clearTimeout(fault.settleTimer);
    this.faults.delete(subject);
    const now = this.clock();
    let unlogged = 0;
    for (const kind of fault.kinds.values()) unlogged += kind.unlogged;
    this.options.logger.info(`${subject} recovered`, {
      fault: subject,
      failures: fault.failures,
      ...(unlogged ? { failures_since_last_line: unlogged } : {}),
      failing_since: new Date(fault.since).toISOString(),
      duration_s: (this.elapsed() - fault.began) / 1000,
    });
    const { code, message } = fault.lastError;
    this.notify({ subject, state: 'ok', code, error: message, since: fault.since, failures: fault.failures, at: now });
  }

  private notify(change: FaultChange): void {
    try {
      this.options.onChange?.(change);
    } catch (err) {
      this.options.logger.error('fault change listener failed', { fault: change.subject, err });
    }
  }
}
