import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { killOnHostExit } from './kill-on-host-exit';
import { OutputTail } from './output-tail';
import type { ProcessExit } from './process-exit';
import { ProcessStartError } from '../errors';

export type OutputStream = 'stdout' | 'stderr';

export interface SupervisedProcessOptions {
  /** Names the process in errors ("the model", "gst-launch-1.0"). */
  name: string;
  /** The child's whole environment (default: this process's). Secrets go here or in files, never in argv. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Starts it in a process group of its own: stop() signals the whole group, and whatever the child started is
   * killed when it exits, so a shell's or client's own children never outlive it.
   */
  group?: boolean;
  /** 'data': stdout is the caller's to read (`stdout`); 'output': stdout is diagnostics, like stderr. */
  stdout: 'data' | 'output';
  /** Each complete diagnostic line, as it comes (for the log). */
  onLine?: (stream: OutputStream, line: string) => void;
  /** How many diagnostic lines `output()` keeps (default 40). */
  tailLines?: number;
}

const DEFAULT_TAIL_LINES = 40;

/**
 * A child process a component owns (the model, a GStreamer pipeline, the Edge Impulse Linux client): a start
 * that fails is a ProcessStartError, its exit is an event, its last diagnostic lines are kept for error
 * messages, and stop() escalates from a polite signal to SIGKILL, so nothing is left behind.
 *
 * @example
 * ```ts
 * const child = await SupervisedProcess.start('gst-launch-1.0', args, { name: 'gst-launch-1.0', stdout: 'data' });
 * const off = child.onExit((exit) => log.warn('input ended', { exit: describeExit(exit), output: child.output() }));
 * // ... at stop
 * off();
 * await child.stop(2000); // SIGTERM, then SIGKILL after 2 s
 * ```
 */
export class SupervisedProcess {
  /** Settles once, when the child exits: for one-off waits. A wait per request must use onExit() instead. */
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;
  private readonly tail: OutputTail;
  private readonly exitListeners = new Set<{ listener: (exit: ProcessExit) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    private readonly group: boolean,
    options: SupervisedProcessOptions,
  ) {
    this.tail = new OutputTail(options.tailLines ?? DEFAULT_TAIL_LINES);
    const forget = killOnHostExit(() => this.signal('SIGKILL'));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const exit = (this.exit = { code, signal });
        forget();
        // The leader is gone: end whatever it left in its group.
        if (group) this.signal('SIGKILL');
        resolve(exit);
        const listeners = [...this.exitListeners];
        this.exitListeners.clear();
        for (const { listener } of listeners) listener(exit);
      });
    });
    const diagnostics = (stream: OutputStream) => (chunk: string) => {
      for (const line of this.tail.push(stream, chunk)) options.onLine?.(stream, line);
    };
    child.stderr?.setEncoding('utf8').on('data', diagnostics('stderr'));
    if (options.stdout === 'output') child.stdout?.setEncoding('utf8').on('data', diagnostics('stdout'));
    // After 'spawn', an 'error' is a signal that could not be sent: worth a line, never an uncaught exception.
    child.on('error', (err) => options.onLine?.('stderr', `process error: ${err.message}`));
  }

  static async start(
    command: string,
    args: readonly string[],
    options: SupervisedProcessOptions,
  ): Promise<SupervisedProcess> {
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      detached: options.group ?? false,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await once(child, 'spawn');
    } catch (err) {
      throw new ProcessStartError(options.name, command, err as NodeJS.ErrnoException);
    }
    return new SupervisedProcess(child, child.pid as number, options.group ?? false, options);
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The child's output stream, with `stdout: 'data'`. */
  get stdout(): Readable {
    return this.child.stdout as Readable;
  }

  /**
   * Calls `listener` once when the child exits (in a microtask when it already has); returns the function that
   * unsubscribes it. Unlike `exited.then(...)`, which stays attached to that pending promise until the child
   * exits, an unsubscribed listener leaves nothing behind, so a wait per request (the model runs for days and
   * answers hundreds of requests a second) does not pile up.
   */
  onExit(listener: (exit: ProcessExit) => void): () => void {
    if (this.exit) {
      const exit = this.exit;
      let subscribed = true;
      queueMicrotask(() => subscribed && listener(exit));
      return () => void (subscribed = false);
    }
    const entry = { listener };
    this.exitListeners.add(entry);
    return () => void this.exitListeners.delete(entry);
  }

  /** The last diagnostic lines (stderr, and stdout with `stdout: 'output'`), unfinished ones included. */
  outputLines(): string[] {
    return this.tail.snapshot();
  }

  /** The same, as one text for error messages. */
  output(): string {
    return this.outputLines().join('\n');
  }

  /**
   * Sends `signal` (to the whole group with `group`), then SIGKILL after `graceMs`; resolves once the child has
   * exited, and lets go of its pipes.
   */
  async stop(graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<ProcessExit> {
    if (this.running) {
      this.signal(signal);
      const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      await this.exited.finally(() => clearTimeout(timer));
    }
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    return this.exited;
  }

  private signal(signal: NodeJS.Signals): void {
    if (!this.group) {
      this.child.kill(signal);
      return;
    }
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the group is empty already
    }
  }
}
