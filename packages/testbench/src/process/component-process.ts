import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { markedProcesses, TEST_MARKER_ENV, type MarkedProcess } from './marked-processes';

/**
 * A JSON payload a component published, as tests read it: an inference result or a command reply (`result`).
 * Only the fields tests compute with are typed; everything else is asserted with expect().
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
  /** A command reply: `status` is a word (`started`, `model_restarted`) or get_status's object. */
  result?: {
    status?: unknown;
    error?: string;
    code?: string;
    restart?: string;
    restart_in_ms?: number;
    [field: string]: unknown;
  };
}

/** A message the component wrote with `--transport stdout`, with the time the test read it. */
export interface Received {
  topic: string;
  payload: Payload;
  at: number;
}

export interface ComponentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ComponentProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * A component (or any command) as a child process in its own group, as Greengrass runs it. With
 * `--transport stdout` its messages are read from stdout (every one kept with the time it arrived, so a test can
 * count what was lost) and commands go to stdin; under the testbench's IPC endpoint the test reads the endpoint
 * instead. Every stderr line is kept with its arrival time so a test can count the log volume of a fault. Every
 * process it starts carries a marker in its environment, so a test can find its model process and what is left.
 *
 * Running a component out of process is also what lets jest end by itself: edge-impulse-linux's runner starts a
 * 60 s timer per request and never clears it.
 */
export class ComponentProcess {
  readonly marker = randomUUID();
  readonly exited: Promise<ComponentExit>;
  readonly messages: Received[] = [];
  private readonly taken = new WeakSet<Received>();
  private readonly stderrLines: Array<{ at: number; line: string }> = [];
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private stdoutRest = '';
  private stderrRest = '';
  private exit: ComponentExit | undefined;

  /** `command` with `args`; see {@link ComponentProcess.node} for a component's bin or bundle. */
  constructor(command: string, args: readonly string[], options: ComponentProcessOptions = {}) {
    this.child = spawn(command, args, {
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
    this.child.stdout!.on('data', (chunk: Buffer) => this.readStdout(chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => this.readStderr(chunk));
    this.child.stdin!.on('error', () => undefined);
  }

  /** A Node script (a component's bin or bundled main) on this process's Node. */
  static node(script: string, args: readonly string[], options: ComponentProcessOptions = {}): ComponentProcess {
    return new ComponentProcess(process.execPath, [script, ...args], options);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The whole stderr, for failure messages and assertions on what was logged. */
  logs(): string {
    return [...this.stderrLines.map((l) => l.line), this.stderrRest].join('\n');
  }

  /** Stderr lines that arrived at or after `since` (and before `until`). */
  logLinesBetween(since: number, until = Infinity): string[] {
    return this.stderrLines.filter((l) => l.at >= since && l.at < until).map((l) => l.line);
  }

  /** Messages on a topic ending with `suffix` that arrived at or after `since`. */
  received(suffix: string, since = 0): Received[] {
    return this.messages.filter((m) => m.at >= since && m.topic.endsWith(suffix));
  }

  /** A command on the command input topic (stdout transport). */
  send(command: Record<string, unknown>): void {
    this.child.stdin!.write(JSON.stringify(command) + '\n');
  }

  /** The first message on `suffix` at or after `since` that matches, waiting for it up to `timeoutMs`. */
  async next(
    suffix: string,
    predicate: (payload: Payload) => boolean = () => true,
    since = 0,
    timeoutMs = 20_000,
  ): Promise<Received> {
    return this.waitFor(suffix, timeoutMs, () => this.received(suffix, since).find((m) => predicate(m.payload)));
  }

  /**
   * Reads messages on `suffix` in order: waits for the first one not taken yet that matches and takes it, with
   * the earlier ones on that topic that did not match.
   */
  async take(
    suffix: string,
    predicate: (payload: Payload) => boolean = () => true,
    timeoutMs = 20_000,
  ): Promise<Payload> {
    const match = await this.waitFor(suffix, timeoutMs, () =>
      this.received(suffix).find((m) => !this.taken.has(m) && predicate(m.payload)),
    );
    for (const m of this.received(suffix)) {
      this.taken.add(m);
      if (m === match) break;
    }
    return match.payload;
  }

  /** A command and its reply: the first command output after sending that `isReply` accepts. */
  async command(command: Record<string, unknown>, isReply: (payload: Payload) => boolean): Promise<Payload> {
    const sent = Date.now();
    this.send(command);
    return (await this.next('/command/output', isReply, sent)).payload;
  }

  /** Resident memory of the component process, from /proc. */
  residentKb(): number {
    const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1]);
    if (!Number.isFinite(kb)) throw new Error(`no VmRSS for pid ${this.pid}`);
    return kb;
  }

  /** Processes started by this component (itself included) that are still alive. */
  survivors(): MarkedProcess[] {
    return markedProcesses(this.marker);
  }

  /**
   * SIGTERM to the component alone (not its group), as the nucleus does, and waits for it to exit. SIGKILL to the
   * group after `timeoutMs` is for a component that hangs, not for one a busy machine slows down.
   */
  async terminate(timeoutMs = 20_000): Promise<ComponentExit> {
    if (this.running) this.child.kill('SIGTERM');
    const timer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Test cleanup: a graceful stop (a model removes its socket), then the whole group, and the pipes released. */
  async kill(): Promise<void> {
    await this.terminate();
    signalGroup(this.pid, 'SIGKILL');
    this.child.stdout!.destroy();
    this.child.stderr!.destroy();
    this.child.stdin!.destroy();
  }

  private async waitFor(suffix: string, timeoutMs: number, find: () => Received | undefined): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = find();
      if (match) return match;
      if (!this.running)
        throw new Error(
          `component exited (${JSON.stringify(this.exit)}) before a message on ${suffix}:\n${this.logs()}`,
        );
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no message on ${suffix} within ${timeoutMs} ms; logs:\n${this.logs().slice(-4000)}`);
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

  private readStdout(chunk: Buffer): void {
    const lines = (this.stdoutRest + chunk.toString('utf8')).split('\n');
    this.stdoutRest = lines.pop()!;
    const at = Date.now();
    for (const line of lines) {
      if (!line.trim()) continue;
      const message = JSON.parse(line) as { topic: string; payload: Payload };
      this.messages.push({ ...message, at });
    }
    this.notify();
  }

  private readStderr(chunk: Buffer): void {
    const lines = (this.stderrRest + chunk.toString('utf8')).split('\n');
    this.stderrRest = lines.pop()!;
    const at = Date.now();
    for (const line of lines) if (line.trim()) this.stderrLines.push({ at, line });
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
