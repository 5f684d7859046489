import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { LinuxServiceError } from '../errors';

export interface GroupExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GroupLaunch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * A child started in its own process group (detached), so stopping it also ends everything it started:
 * the client's gst-launch (through a shell) and sox/arecord. No shell here: argv goes to exec as is.
 */
export class ProcessGroup {
  readonly exited: Promise<GroupExit>;
  private exit: GroupExit | undefined;
  private readonly killOnExit = () => signalGroup(this.pid, 'SIGKILL');

  private constructor(
    child: ChildProcess,
    readonly pid: number,
  ) {
    // Should this process die without stopping it, leave nothing behind.
    process.on('exit', this.killOnExit);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        process.off('exit', this.killOnExit);
        // The leader is gone: end whatever it left in its group, and let go of the pipes.
        signalGroup(pid, 'SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve(this.exit);
      });
    });
  }

  static async start(
    launch: GroupLaunch,
    onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void,
  ): Promise<ProcessGroup> {
    const child = spawn(launch.command, launch.args, {
      env: launch.env,
      cwd: launch.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => onOutput('stdout', chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => onOutput('stderr', chunk));
    try {
      await once(child, 'spawn');
    } catch (err) {
      throw new LinuxServiceError(
        'LINUX_SERVICE_SPAWN_FAILED',
        `cannot start ${launch.command}: ${(err as Error).message}`,
        {
          context: { command: launch.command },
          cause: err,
        },
      );
    }
    child.on('error', () => undefined); // a signal to a group already gone; the exit is what counts
    return new ProcessGroup(child, child.pid as number);
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /**
   * `signal` to the whole group (SIGINT is the client's own stop: it ends GStreamer and removes its frame
   * directory), SIGKILL to the group after `graceMs`; resolves once the leader has exited.
   */
  async stop(signal: NodeJS.Signals, graceMs: number): Promise<GroupExit> {
    if (this.exit) return this.exit;
    signalGroup(this.pid, signal);
    const timer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is empty already
  }
}
