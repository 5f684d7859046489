import { ChildProcess, spawn } from 'child_process';
import { once } from 'events';
import { createServer, connect } from 'net';
import { setTimeout as sleep } from 'timers/promises';

// The same ProcessExit and process-group stop as @ei-gg/core's SupervisedProcess, kept here because core
// dev-depends on the testbench (which therefore cannot depend on core).
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartProcessOptions {
  /** Name used in error messages; defaults to the command. */
  name?: string;
  cwd?: string;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
}

/** A child process in its own process group, so that stop() also ends anything it spawned. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Settles when the process has exited, however that happened. */
  readonly exited: Promise<ProcessExit>;
  isRunning(): boolean;
  /** The last 64 KiB of stdout and stderr, interleaved, for error messages. */
  output(): string;
  /** SIGTERM to the group, SIGKILL after graceMs; resolves once the process has exited. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

const OUTPUT_LIMIT = 64 * 1024;

export async function startProcess(
  command: string,
  args: readonly string[],
  options: StartProcessOptions = {},
): Promise<ManagedProcess> {
  const name = options.name ?? command;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  // After 'spawn', an 'error' (e.g. a failed kill) must not become an uncaught exception.
  child.on('error', (error) => append(Buffer.from(`${error.message}\n`)));

  try {
    await once(child, 'spawn');
  } catch (error) {
    throw new Error(`${name} could not be started: ${(error as Error).message}`, { cause: error });
  }
  const pid = child.pid as number;

  // Should the test process die first (a crash, a jest worker being ended), leave no broker or emulator behind.
  const killOnExit = (): void => killGroup(pid, 'SIGKILL');
  process.on('exit', killOnExit);

  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      process.off('exit', killOnExit);
      resolve(exit);
    });
  });

  return {
    name,
    pid,
    exited,
    isRunning: () => exit === undefined,
    output: () => output,
    stop: (graceMs = 5000) => stopChild(child, pid, exited, graceMs),
  };
}

async function stopChild(
  child: ChildProcess,
  pid: number,
  exited: Promise<ProcessExit>,
  graceMs: number,
): Promise<ProcessExit> {
  killGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
  const exit = await exited;
  clearTimeout(timer);
  // The leader is gone; end whatever it left in its group, and release the pipes so no handle keeps jest alive.
  killGroup(pid, 'SIGKILL');
  child.stdout?.destroy();
  child.stderr?.destroy();
  return exit;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already empty
  }
}

/** A TCP port free on 127.0.0.1 at the time of the call (bound to port 0, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not read the bound port');
  return address.port;
}

/**
 * Polls `predicate` every `intervalMs` until it returns true. Throws "timed out after N ms waiting for
 * <description>" when it does not in time; an error thrown by the predicate ends the wait at once.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  description: string,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await sleep(intervalMs);
  }
}

/**
 * Waits until 127.0.0.1:port accepts a TCP connection. With `owner`, fails at once (with its output) if that
 * process exits first, rather than after the whole timeout.
 */
export async function waitForPort(port: number, timeoutMs: number, owner?: ManagedProcess): Promise<void> {
  await waitFor(
    async () => {
      if (owner !== undefined && !owner.isRunning()) {
        const { code, signal } = await owner.exited;
        throw new Error(
          `${owner.name} exited (${signal ?? `code ${code}`}) before listening on port ${port}:\n${owner.output()}`,
        );
      }
      return canConnect(port);
    },
    timeoutMs,
    `127.0.0.1:${port} to accept connections${owner === undefined ? '' : ` (${owner.name})`}`,
  );
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
