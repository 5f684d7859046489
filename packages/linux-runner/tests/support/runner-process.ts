import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { markedProcesses, TEST_MARKER_ENV, type MarkedProcess } from './marked-processes';
import { runnerBundle } from './runner-bundle';

/**
 * A published JSON payload, as the tests read it: an inference result (SPEC section 3) or a command reply
 * (`result`). Only the fields the tests compute with are typed; everything else is asserted with expect().
 */
export interface Payload {
  [field: string]: unknown;
  id?: string;
  ts?: number;
  total_inferences?: number;
  request_id?: string;
  /** Classification scores by label. */
  c?: Record<string, number>;
  /** The model-input image, base64 JPEG. */
  image?: string;
  result?: { status?: string; error?: string; restart?: string; restart_in_ms?: number; [field: string]: unknown };
}

export interface Message {
  topic: string;
  payload: Payload;
}

export interface RunnerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartRunnerOptions {
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * `ei-gg-linux-runner` as a child process, as Greengrass runs it. With `--transport stdout` its messages are
 * read from stdout and commands written to stdin; with IPC the test reads the broker instead. Every process
 * it starts carries a marker in its environment, so a test can list exactly the processes it left behind.
 *
 * Running the component out of process is also what lets jest end by itself: edge-impulse-linux's runner
 * starts a 60 s timer per request and never clears it.
 */
export class RunnerProcess {
  readonly marker = randomUUID();
  readonly exited: Promise<RunnerExit>;
  private readonly child: ChildProcess;
  private readonly queue: Message[] = [];
  private readonly waiters = new Set<() => void>();
  private stderr = '';
  private stdoutRest = '';
  private exit: RunnerExit | undefined;

  constructor(options: StartRunnerOptions) {
    this.child = spawn(process.execPath, [runnerBundle(), ...options.args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, [TEST_MARKER_ENV]: this.marker },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const killGroup = () => signalGroup(this.child.pid!, 'SIGKILL');
    process.on('exit', killGroup);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        process.off('exit', killGroup);
        this.exit = { code, signal };
        this.notify();
        resolve(this.exit);
      }),
    );
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.child.stdout!.on('data', (chunk: Buffer) => this.readStdout(chunk));
    this.child.stdin!.on('error', () => undefined);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  logs(): string {
    return this.stderr;
  }

  /** A command on the command input topic (stdout transport). */
  send(command: Record<string, unknown>): void {
    this.child.stdin!.write(JSON.stringify(command) + '\n');
  }

  /**
   * Waits for a message on a topic ending with `suffix` that matches `predicate` and takes it, with the
   * earlier messages on that topic that did not match.
   */
  async next(
    suffix: string,
    predicate: (payload: Payload) => boolean = () => true,
    timeoutMs = 20_000,
  ): Promise<Payload> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.queue.findIndex((m) => m.topic.endsWith(suffix) && predicate(m.payload));
      if (index >= 0) {
        const match = this.queue[index];
        const later = this.queue.slice(index + 1);
        this.queue.splice(
          0,
          this.queue.length,
          ...this.queue.slice(0, index).filter((m) => !m.topic.endsWith(suffix)),
          ...later,
        );
        return match.payload;
      }
      if (!this.running)
        throw new Error(`runner exited (${JSON.stringify(this.exit)}) before a message on ${suffix}:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no message on ${suffix} within ${timeoutMs} ms; logs:\n${this.stderr.slice(-4000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  /**
   * Sends SIGTERM to the component alone (not its group), as the nucleus does, and waits for it to exit. SIGKILL
   * after `timeoutMs` is for a component that hangs, not for one a busy machine slows down.
   */
  async terminate(timeoutMs = 20_000): Promise<RunnerExit> {
    if (this.running) this.child.kill('SIGTERM');
    const timer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Test cleanup: a graceful stop (the model removes its socket), then the whole group, and the pipes released. */
  async kill(): Promise<void> {
    await this.terminate();
    signalGroup(this.pid, 'SIGKILL');
    this.child.stdout!.destroy();
    this.child.stderr!.destroy();
    this.child.stdin!.destroy();
  }

  /** Processes started by this runner (itself included) that are still alive. */
  survivors(): MarkedProcess[] {
    return markedProcesses(this.marker);
  }

  private readStdout(chunk: Buffer): void {
    const lines = (this.stdoutRest + chunk.toString('utf8')).split('\n');
    this.stdoutRest = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      this.queue.push(JSON.parse(line) as Message);
    }
    this.notify();
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
    this.waiters.clear();
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}
