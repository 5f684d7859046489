import { retryDelay, ProcessStartError, SupervisedProcess, type ProcessExit } from '@ei-gg/core';
import { LinuxServiceError } from '../errors';

/** What to run: the client's argv goes to exec as is (no shell); its key comes in a file, never in argv. */
export interface ClientLaunch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface ClientKeeperTimings {
  /** First restart delay; doubles per consecutive short run up to the cap. */
  restartBaseMs: number;
  /** After the stop signal, the group gets SIGKILL this much later (Greengrass kills at 5 s). */
  stopGraceMs: number;
  /** A run at least this long counts as healthy: the next restart starts at the base delay again. */
  stableRunMs: number;
}

/** How many of its last output lines an exit report carries. */
const OUTPUT_LINES = 10;

export const DEFAULT_SUPERVISOR_TIMINGS: ClientKeeperTimings = {
  restartBaseMs: 500,
  stopGraceMs: 1500,
  stableRunMs: 30_000,
};

export interface ClientStart {
  pid: number;
  /** Restarts so far (0 for the first start). */
  restarts: number;
}

export interface ClientExit extends ProcessExit {
  pid: number;
  /** "exited with code 1" or "killed by SIGSEGV", and the last thing it said. */
  reason: string;
  /** Its last output lines (stderr and stdout), secrets redacted. */
  output: string[];
  uptimeMs: number;
  restartInMs: number;
}

export interface ClientKeeperHooks {
  /** Before each start: what to run (fresh key file, current arguments). */
  prepare(): ClientLaunch;
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
export class ClientKeeper {
  private client: SupervisedProcess | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private attempt = 0;
  private restarts = 0;

  constructor(
    private readonly hooks: ClientKeeperHooks,
    private readonly timings: ClientKeeperTimings = DEFAULT_SUPERVISOR_TIMINGS,
  ) {}

  get pid(): number | undefined {
    return this.client?.running ? this.client.pid : undefined;
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
    // SIGINT is the client's own stop: it ends GStreamer and removes its frame directory.
    await this.client?.stop(this.timings.stopGraceMs, 'SIGINT');
    this.client = undefined;
  }

  private async launch(): Promise<void> {
    const { command, args, env, cwd } = this.hooks.prepare();
    const client = await SupervisedProcess.start(command, args, {
      name: 'the Edge Impulse Linux client',
      env,
      cwd,
      // Its own process group: stopping it also ends the gst-launch (through a shell) and sox/arecord it started.
      group: true,
      stdout: 'output',
      tailLines: OUTPUT_LINES,
      onLine: (stream, line) => this.hooks.line(stream, line),
    }).catch((err: Error) => {
      throw err instanceof ProcessStartError
        ? new LinuxServiceError('LINUX_SERVICE_SPAWN_FAILED', err.message, { context: err.context, cause: err })
        : err;
    });
    if (this.stopping) {
      // stop() came while this restart was spawning: it found no client to end, so end this one here.
      await client.stop(this.timings.stopGraceMs, 'SIGINT');
      return;
    }
    const startedAt = performance.now();
    this.client = client;
    void client.exited.then((exit) => this.onExit(client, exit, performance.now() - startedAt));
    this.hooks.started({ pid: client.pid, restarts: this.restarts });
  }

  private onExit(client: SupervisedProcess, exit: ProcessExit, uptimeMs: number): void {
    if (this.stopping || this.client !== client) return;
    this.client = undefined;
    if (uptimeMs >= this.timings.stableRunMs) this.attempt = 0;
    const restartInMs = this.nextRestartDelay();
    const output = client.outputLines().map((line) => this.hooks.redact(line));
    const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const reason = output.length ? `${how}: ${output[output.length - 1]}` : how;
    this.hooks.exited({ ...exit, pid: client.pid, reason, output, uptimeMs, restartInMs });
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
      const restartInMs = this.nextRestartDelay();
      const reason = `could not start: ${(err as Error).message}`;
      this.hooks.exited({ pid: 0, code: null, signal: null, reason, output: [], uptimeMs: 0, restartInMs });
      this.restartTimer = setTimeout(() => void this.restart(), restartInMs);
    }
  }

  private nextRestartDelay(): number {
    return Math.round(retryDelay(this.attempt++, this.timings.restartBaseMs, this.hooks.restartCapMs()));
  }
}
