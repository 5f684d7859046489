import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Logger } from '@ei-gg/core';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Used in logs and errors. */
  name: string;
  logger: Logger;
  /** 'data': stdout is the child's output stream for the caller; 'log': stdout is diagnostics like stderr. */
  stdout: 'data' | 'log';
}

const TAIL_BYTES = 4096;

/**
 * A child process the component owns (the model, a GStreamer pipeline): spawn errors become rejections,
 * diagnostics are kept (the tail, for error messages) and logged at debug level, and stop() escalates from a
 * polite signal to SIGKILL, so nothing is left behind when the component stops.
 */
export class SupervisedChild {
  /** Settles once, when the child exits: for one-off waits. A wait per request must use onExit() instead. */
  readonly exited: Promise<ChildExit>;
  private exit: ChildExit | undefined;
  private tail = '';
  private readonly exitListeners = new Set<{ listener: (exit: ChildExit) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    options: SpawnOptions,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const exit = (this.exit = { code, signal });
        resolve(exit);
        const listeners = [...this.exitListeners];
        this.exitListeners.clear();
        for (const { listener } of listeners) listener(exit);
      });
    });
    const log = options.logger.child({ part: options.name });
    const diagnostics = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.tail = (this.tail + text).slice(-TAIL_BYTES);
      for (const line of text.split('\n')) if (line.trim()) log.debug(line.trimEnd());
    };
    child.stderr?.on('data', diagnostics);
    if (options.stdout === 'log') child.stdout?.on('data', diagnostics);
    // After 'spawn', an 'error' (a failed kill) must not become an uncaught exception.
    child.on('error', (err) => log.warn('child process error', { err }));
  }

  static async spawn(command: string, args: readonly string[], options: SpawnOptions): Promise<SupervisedChild> {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return new SupervisedChild(child, options);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  get stdout(): Readable {
    return this.child.stdout as Readable;
  }

  /**
   * Calls `listener` once when the child exits (in a microtask when it already has); returns the function that
   * unsubscribes it. Unlike `exited.then(...)`, which stays attached to that pending promise until the child
   * exits, an unsubscribed listener leaves nothing behind, so a wait per request (the model runs for days and
   * answers hundreds of requests a second) does not pile up.
   */
  onExit(listener: (exit: ChildExit) => void): () => void {
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

  /** The last few KiB of the child's diagnostics, for error messages. */
  output(): string {
    return this.tail.trim();
  }

  /** Sends `signal`, then SIGKILL after `graceMs`; resolves once the child has exited. */
  async stop(graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<ChildExit> {
    if (this.exit) return this.exit;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    return exit;
  }
}

export function describeExit(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
