import { backoffDelay } from '@ei-gg/core';
import { OutputTail } from './output-tail';
import { ProcessGroup, type GroupExit, type GroupLaunch } from './process-group';

export interface SupervisorTimings {
  /** First restart delay; doubles per consecutive short run up to the cap. */
  restartBaseMs: number;
  /** After the stop signal, the group gets SIGKILL this much later (Greengrass kills at 5 s). */
  stopGraceMs: number;
  /** A run at least this long counts as healthy: the next restart starts at the base delay again. */
  stableRunMs: number;
}

export const DEFAULT_SUPERVISOR_TIMINGS: SupervisorTimings = {
  restartBaseMs: 500,
  stopGraceMs: 1500,
  stableRunMs: 30_000,
};

export interface ClientStart {
  pid: number;
  /** Restarts so far (0 for the first start). */
  restarts: number;
}

export interface ClientExit extends GroupExit {
  pid: number;
  /** "exited with code 1" or "killed by SIGSEGV", and the last thing it said. */
  reason: string;
  /** Its last output lines (stderr and stdout), secrets redacted. */
  output: string[];
  uptimeMs: number;
  restartInMs: number;
}

export interface SupervisorHooks {
  /** Before each start: what to run (fresh key file, current arguments). */
  prepare(): GroupLaunch;
  started(start: ClientStart): void;
  exited(exit: ClientExit): void;
  /** One complete output line, for the log. */
  line(stream: 'stdout' | 'stderr', text: string): void;
  /** Masks secrets in lines that leave the process. */
  redact(text: string): string;
  /** Restart cap (`sleep_time_sec`), read at each restart so a configuration change applies. */
  restartCapMs(): number;
}

/**
 * Keeps one client process running: starts it, and whenever it exits on its own, says why and starts it
 * again after an exponential back-off (capped, jittered), reset after a run that lasted. `stop()` ends the
 * whole process group and cancels any pending restart.
 */
export class ClientSupervisor {
  private group: ProcessGroup | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private attempt = 0;
  private restarts = 0;

  constructor(
    private readonly hooks: SupervisorHooks,
    private readonly timings: SupervisorTimings = DEFAULT_SUPERVISOR_TIMINGS,
  ) {}

  get pid(): number | undefined {
    return this.group?.running ? this.group.pid : undefined;
  }

  get restartCount(): number {
    return this.restarts;
  }

  /** Starts the client; rejects when it cannot be started at all (later failures are restarted). */
  async start(): Promise<void> {
    this.stopping = false;
    await this.launch();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.group?.stop('SIGINT', this.timings.stopGraceMs);
    this.group = undefined;
  }

  private async launch(): Promise<void> {
    const tail = new OutputTail();
    const group = await ProcessGroup.start(this.hooks.prepare(), (stream, chunk) => {
      for (const line of tail.push(stream, chunk)) this.hooks.line(stream, line);
    });
    if (this.stopping) {
      // stop() came while this restart was spawning: it found no group to end, so end this one here.
      await group.stop('SIGINT', this.timings.stopGraceMs);
      return;
    }
    const startedAt = Date.now();
    this.group = group;
    void group.exited.then((exit) => this.onExit(group, exit, tail, Date.now() - startedAt));
    this.hooks.started({ pid: group.pid, restarts: this.restarts });
  }

  private onExit(group: ProcessGroup, exit: GroupExit, tail: OutputTail, uptimeMs: number): void {
    if (this.stopping || this.group !== group) return;
    this.group = undefined;
    if (uptimeMs >= this.timings.stableRunMs) this.attempt = 0;
    const restartInMs = Math.round(backoffDelay(this.attempt++, this.timings.restartBaseMs, this.hooks.restartCapMs()));
    const output = tail.snapshot().map((line) => this.hooks.redact(line));
    const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const reason = output.length ? `${how}: ${output[output.length - 1]}` : how;
    this.hooks.exited({ ...exit, pid: group.pid, reason, output, uptimeMs, restartInMs });
    this.restartTimer = setTimeout(() => void this.restart(), restartInMs);
  }

  private async restart(): Promise<void> {
    this.restartTimer = undefined;
    if (this.stopping) return;
    this.restarts++;
    try {
      await this.launch();
    } catch (err) {
      // Not startable right now (e.g. out of processes): report it like an exit and try again later.
      const restartInMs = Math.round(
        backoffDelay(this.attempt++, this.timings.restartBaseMs, this.hooks.restartCapMs()),
      );
      const reason = `could not start: ${(err as Error).message}`;
      this.hooks.exited({ pid: 0, code: null, signal: null, reason, output: [], uptimeMs: 0, restartInMs });
      this.restartTimer = setTimeout(() => void this.restart(), restartInMs);
    }
  }
}
