import { spawn, type ChildProcess } from 'node:child_process';
import { capturedIo } from '../support/captured-io';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_OK, EXIT_USAGE, runComponentCli } from '../../src/cli/run-component-cli';
import { recoverComponent } from '../../src/lifecycle/recover-component';
import { recoverModelSockets } from '../../src/lifecycle/recover-model-sockets';
import { Logger } from '../../src/logging/logger';
import { waitFor } from '@ei-gg/testbench';

/** A stand-in .eim: listens on its last argument; on SIGINT exits without removing its socket, as a crashing model would. */
const FAKE_MODEL = `require('net').createServer((c) => c.on('error', () => {})).listen(process.argv.at(-1), () => console.log('listening'));
process.on('SIGINT', () => process.exit(0));`;

const dir = mkdtempSync(join(tmpdir(), 'ei-gg-recover-'));
const leftovers: number[] = [];

afterAll(() => {
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function capture(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return {
    logger: new Logger({ level: 'debug', sink: { write: (line: string) => lines.push(JSON.parse(line)) } }),
    lines,
  };
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid as number;
}

async function listening(child: ChildProcess): Promise<void> {
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(chunk.toString()).toContain('listening');
}

/** `<root>/ei-gg-model-XXXXXX/model.sock` left by a model killed with SIGKILL (nothing listens; the file stays). */
async function staleSocket(root: string, name: string, file = 'model.sock'): Promise<string> {
  mkdirSync(join(root, name), { recursive: true, mode: 0o700 });
  const socket = join(root, name, file);
  const model = spawn(process.execPath, ['-e', FAKE_MODEL, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  await listening(model);
  model.kill('SIGKILL');
  await once(model, 'exit');
  return socket;
}

/** Whether `pid` still runs (not a zombie waiting for its new parent to reap it). */
function running(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('recoverComponent: the lock file', () => {
  it('removes a lock whose owner is gone, saying so as a JSON line', async () => {
    const lockPath = join(dir, 'lock_stale');
    const pid = await deadPid();
    writeFileSync(lockPath, `${pid}\n`);
    const { logger, lines } = capture();
    const report = await recoverComponent({ lockPath, logger });
    expect(existsSync(lockPath)).toBe(false);
    expect(report).toEqual({ removed: [lockPath], stopped: [], kept: [], problems: [] });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'removed stale lock file', part: 'recover', path: lockPath, pid }),
    );
  });

  it('removes a lock holding no pid, as LockFile would take it over', async () => {
    const lockPath = join(dir, 'lock_garbage');
    writeFileSync(lockPath, 'not a pid');
    expect((await recoverComponent({ lockPath, logger: capture().logger })).removed).toEqual([lockPath]);
  });

  it("never removes a live owner's lock", async () => {
    const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const lockPath = join(dir, 'lock_live');
      writeFileSync(lockPath, `${owner.pid}\n`);
      const { logger, lines } = capture();
      const report = await recoverComponent({ lockPath, logger });
      expect(readFileSync(lockPath, 'utf8')).toBe(`${owner.pid}\n`);
      expect(report).toMatchObject({ removed: [], kept: [lockPath] });
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: 'lock file kept: its owner is alive', pid: owner.pid }),
      );
    } finally {
      owner.kill();
      await once(owner, 'exit');
    }
  });

  it('is content without a lock file: nothing to do is no problem', async () => {
    const report = await recoverComponent({
      lockPath: join(dir, 'no-such-dir', 'lock_x'),
      logger: capture().logger,
    });
    expect(report).toEqual({ removed: [], stopped: [], kept: [], problems: [] });
  });
});

describe('recoverComponent: linux-runner model sockets', () => {
  const recover = (root: string, options: { uid?: number } = {}) => {
    const { logger, lines } = capture();
    return recoverComponent({
      lockPath: join(root, 'lock_none'),
      logger,
      steps: [recoverModelSockets({ root, ...options })],
    }).then((report) => ({ report, lines }));
  };

  it('removes a leftover socket nothing listens on, and its directory', async () => {
    const root = mkdtempSync(join(dir, 'stale-'));
    const socket = await staleSocket(root, 'ei-gg-model-Ab12Cd');
    const { report, lines } = await recover(root);
    expect(report.removed).toEqual([socket, join(root, 'ei-gg-model-Ab12Cd')]);
    expect(existsSync(join(root, 'ei-gg-model-Ab12Cd'))).toBe(false);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'removed model socket nothing listens on', path: socket }),
    );
  });

  it('removes an empty socket directory a minute old (its model removed its socket), never a fresh one (a model starting)', async () => {
    const root = mkdtempSync(join(dir, 'empty-'));
    for (const name of ['ei-gg-model-Old123', 'ei-gg-model-New456']) mkdirSync(join(root, name), { mode: 0o700 });
    const minutesAgo = new Date(Date.now() - 120_000);
    utimesSync(join(root, 'ei-gg-model-Old123'), minutesAgo, minutesAgo);
    const { report } = await recover(root);
    expect(report.removed).toEqual([join(root, 'ei-gg-model-Old123')]);
    expect(existsSync(join(root, 'ei-gg-model-New456'))).toBe(true);
  });

  it('keeps a socket something listens on', async () => {
    const root = mkdtempSync(join(dir, 'active-'));
    mkdirSync(join(root, 'ei-gg-model-Ef34Gh'), { mode: 0o700 });
    const socket = join(root, 'ei-gg-model-Ef34Gh', 'model.sock');
    const server: Server = createServer((c) => c.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const { report } = await recover(root);
      expect(report).toMatchObject({ removed: [], kept: [socket] });
      expect(existsSync(socket)).toBe(true);
    } finally {
      server.close();
    }
  });

  it("leaves what is not ours: edge-impulse-linux's own sockets, other names, symlinks, another user's files", async () => {
    const root = mkdtempSync(join(dir, 'foreign-'));
    const theirs = [
      await staleSocket(root, 'edge-impulse-cliAb12Cd', 'runner.sock'),
      await staleSocket(root, 'ei-gg-model-Ab12Cd', 'other.sock'),
      await staleSocket(root, 'ei-gg-model-toolong1'),
      await staleSocket(root, 'ei-gg-model-Ij56Kl'),
    ];
    mkdirSync(join(root, 'ei-gg-model-Mn78Op'), { mode: 0o700 });
    symlinkSync(theirs[3], join(root, 'ei-gg-model-Mn78Op', 'model.sock'));
    const otherUser = (process.geteuid?.() ?? 0) + 1;
    expect((await recover(root, { uid: otherUser })).report).toEqual({
      removed: [],
      stopped: [],
      kept: [],
      problems: [],
    });
    const { report } = await recover(root);
    expect(report.removed).toEqual([theirs[3], join(root, 'ei-gg-model-Ij56Kl')]); // ours, once it is our user's
    expect(report.kept).toEqual([join(root, 'ei-gg-model-Mn78Op', 'model.sock')]);
    for (const socket of theirs.slice(0, 3)) expect(existsSync(socket)).toBe(true);
  });

  it('keeps the model of a running linux-runner: its parent is a Node.js process of this user', async () => {
    const root = mkdtempSync(join(dir, 'serving-'));
    mkdirSync(join(root, 'ei-gg-model-Qr90St'), { mode: 0o700 });
    const socket = join(root, 'ei-gg-model-Qr90St', 'model.sock');
    const model = spawn(process.execPath, ['-e', FAKE_MODEL, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await listening(model);
      const { report, lines } = await recover(root);
      expect(report).toMatchObject({ removed: [], stopped: [], kept: [socket] });
      expect(lines).toContainEqual(
        expect.objectContaining({
          msg: 'model socket kept: its model serves a running component',
          pid: model.pid,
          parent: process.pid,
        }),
      );
      expect(running(model.pid as number)).toBe(true);
    } finally {
      model.kill('SIGKILL');
    }
  });

  it('stops an orphaned model (its linux-runner died), then removes the socket it leaves', async () => {
    const root = mkdtempSync(join(dir, 'orphan-'));
    mkdirSync(join(root, 'ei-gg-model-Uv12Wx'), { mode: 0o700 });
    const socket = join(root, 'ei-gg-model-Uv12Wx', 'model.sock');
    // The shell starts the model in the background and exits: the model is reparented, as when its runner is SIGKILLed.
    const shell = spawn(
      '/bin/sh',
      ['-c', `"$0" -e "$1" "$2" >/dev/null 2>&1 & echo $!`, process.execPath, FAKE_MODEL, socket],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pid = Number((await once(shell.stdout, 'data'))[0].toString());
    leftovers.push(pid);
    await waitFor(() => existsSync(socket), 15_000, 'the model socket');

    const { report, lines } = await recover(root);
    expect(report).toEqual({
      removed: [socket, join(root, 'ei-gg-model-Uv12Wx')],
      stopped: [pid],
      kept: [],
      problems: [],
    });
    expect(running(pid)).toBe(false);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'stopped orphaned model process', pid, socket, signal: 'SIGINT' }),
    );
  });
});

describe('--recover', () => {
  const never = async () => {
    throw new Error('main must not run');
  };
  const io = () => capturedIo();

  it('reads the configuration like a start, removes the stale lock it names, and exits 0 without running the component', async () => {
    const args = ['--set', `lock_filename=${join(dir, 'cli_lock')}`, '--set', 'device_name=cam'];
    const check = io();
    expect(await runComponentCli('serial-runner', [...args, '--check-config'], never, check)).toBe(EXIT_OK);
    const lockPath = `${join(dir, 'cli_lock')}_${JSON.parse(check.out()).deviceName}`;
    writeFileSync(lockPath, `${await deadPid()}\n`);

    const s = io();
    expect(await runComponentCli('serial-runner', [...args, '--recover'], never, s)).toBe(EXIT_OK);
    expect(existsSync(lockPath)).toBe(false);
    expect(s.out()).toBe('');
    const lines = s
      .err()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'removed stale lock file',
        path: lockPath,
        component: 'EdgeImpulseSerialRunnerServiceComponent',
      }),
    );
    expect(lines.at(-1)).toMatchObject({ msg: 'recovered', removed: [lockPath] });
  });

  it('is not combined with --check-config', async () => {
    const s = io();
    expect(await runComponentCli('linux-service', ['--recover', '--check-config'], never, s)).toBe(EXIT_USAGE);
    expect(s.err()).toContain('--recover and --check-config exclude each other');
  });
});
