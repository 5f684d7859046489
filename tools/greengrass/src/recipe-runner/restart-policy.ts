/** What the nucleus does after a step failed. */
export type AfterFailure = 'retry' | 'broken';

/**
 * When a failed step is retried and when the component is BROKEN instead: once per component and step
 * (install, run), as each nucleus keeps it.
 */
export interface RestartPolicy {
  /** The step started (Nucleus Lite counts starts). */
  started(now: number): void;
  /** The step failed: retry it, or give up (BROKEN). */
  failed(now: number): AfterFailure;
  /** The step succeeded or was stopped on purpose. */
  settled(): void;
}

/** The classic nucleus: errors before BROKEN and the time after which an old error no longer counts. */
export const CLASSIC_ERRORS_BEFORE_BROKEN = 3;
export const CLASSIC_ERROR_RESET_MS = 3600_000;

/**
 * The classic nucleus's rule (Lifecycle.java, internalReportState): each ERRORED is recorded for the state it
 * happened in (NEW for install, RUNNING for run); the list is cleared only when its last error is an hour old
 * (errorResetTime) or when that state reports anything but ERRORED (install succeeding, the component being
 * stopped). The third recorded error makes the component BROKEN: a crash every 59 minutes breaks it too.
 */
export class ClassicErrorCount implements RestartPolicy {
  private errors: number[] = [];

  started(): void {}

  failed(now: number): AfterFailure {
    const last = this.errors.at(-1);
    if (last !== undefined && now - last >= CLASSIC_ERROR_RESET_MS) this.errors = [];
    this.errors.push(now);
    return this.errors.length >= CLASSIC_ERRORS_BEFORE_BROKEN ? 'broken' : 'retry';
  }

  settled(): void {
    this.errors = [];
  }
}

/** Nucleus Lite's unit files (modules/recipe2unit/src/unit_file_generator.c): StartLimitBurst, StartLimitInterval, RestartSec. */
export const LITE_START_LIMIT_BURST = 3;
export const LITE_START_LIMIT_INTERVAL_MS = 3600_000;
export const LITE_RESTART_DELAY_MS = 1000;

/**
 * systemd's `Restart=on-failure` with `StartLimitBurst=3` in `StartLimitInterval=3600`: a failed step starts again
 * (after RestartSec) unless it has already started three times within the hour; then the unit fails and gghealthd
 * reports BROKEN. No recover step runs. A new deployment resets the counters (gghealthd, reset_restart_counters).
 */
export class SystemdStartLimit implements RestartPolicy {
  private starts: number[] = [];

  started(now: number): void {
    this.starts = [...this.starts.filter((time) => now - time < LITE_START_LIMIT_INTERVAL_MS), now];
  }

  failed(now: number): AfterFailure {
    const recent = this.starts.filter((time) => now - time < LITE_START_LIMIT_INTERVAL_MS);
    return recent.length >= LITE_START_LIMIT_BURST ? 'broken' : 'retry';
  }

  settled(): void {}

  /** `systemctl reset-failed`, as a deployment does. */
  reset(): void {
    this.starts = [];
  }
}
