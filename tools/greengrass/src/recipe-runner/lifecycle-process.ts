import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { ProcessExit } from '@ei-gg/core';

/** A lifecycle script running in its own process group, as the nucleus runs them. */
export class LifecycleProcess {
  private text = '';
  readonly exited: Promise<ProcessExit>;

  private constructor(private readonly child: ChildProcess) {
    const append = (chunk: Buffer) => (this.text = (this.text + chunk.toString('utf8')).slice(-256 * 1024));
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  }

  static async spawn(
    argv: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv },
  ): Promise<LifecycleProcess> {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await once(child, 'spawn');
    return new LifecycleProcess(child);
  }

  /** stdout and stderr so far, interleaved (the last 256 KiB). */
  get output(): string {
    return this.text;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM to the group, as the nucleus stops a component; SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<ProcessExit> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    this.signal('SIGKILL'); // whatever the step left behind in its group
    return exit;
  }

  /** Sends `signal` to the step's whole process group: SIGKILL is a crash that takes the component and its children at once (a cgroup kill, systemd's OOM policy). */
  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-(this.child.pid as number), signal);
    } catch {
      // ESRCH: the group is gone
    }
  }
}
