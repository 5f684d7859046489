import { readdirSync, readFileSync, readlinkSync, rmdirSync, type Stats } from 'node:fs';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import type { Logger } from '../logging/logger';
import { MODEL_SOCKET_DIR_PREFIX, MODEL_SOCKET_NAME, modelSocketRoot } from './model-socket-location';
import type { RecoverReport, RecoverStep } from './recover-component';
import { isMissing, problem, remove, statOrUndefined } from './recover-files';

/** A mkdtemp directory of ModelSession's (linux-runner); edge-impulse-linux's own `edge-impulse-cli*` ones are never ours. */
const MODEL_DIR = new RegExp(`^${MODEL_SOCKET_DIR_PREFIX}[A-Za-z0-9]{6}$`);
/** A live session creates its directory milliseconds before it starts the model; older and empty is left over. */
const EMPTY_DIR_GRACE_MS = 60_000;
const PROBE_TIMEOUT_MS = 1000;
const PROBE_RETRIES = 2;
/** Real models clean up their shared memory on SIGINT (as edge-impulse-linux stops them); then SIGKILL. */
const ORPHAN_GRACE_MS = 2000;

export interface ModelSocketRecovery {
  /** Where the model sessions make their socket directories (default: where ModelSession does). */
  root?: string;
  /** Only this user's sockets and processes are touched (default: our effective uid). */
  uid?: number;
}

/**
 * linux-runner's Recover step: its model sockets go only when they are in our directory pattern, owned by `uid`,
 * and nothing listens on them (connect() refused). A model process still serving one is stopped only when it is an
 * orphan: same user, the socket as its last argument, and no Node.js process of ours (a running linux-runner) as its
 * parent.
 */
export function recoverModelSockets(options: ModelSocketRecovery = {}): RecoverStep {
  return (log, report) =>
    recoverSockets(options.root ?? modelSocketRoot(), options.uid ?? process.geteuid?.() ?? 0, log, report);
}

async function recoverSockets(root: string, uid: number, log: Logger, report: RecoverReport): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(root).filter((name) => MODEL_DIR.test(name));
  } catch (cause) {
    if (!isMissing(cause)) problem(report, log, `cannot list ${root}`, root, cause);
    return;
  }
  const dirs = names
    .map((name) => join(root, name))
    .filter((dir) => ownedBy(statOrUndefined(dir, log, report), uid, 'dir'));
  if (dirs.length === 0) return;
  const processes = listProcesses(uid);
  for (const dir of dirs) {
    const socket = join(dir, MODEL_SOCKET_NAME);
    const stats = statOrUndefined(socket, log, report);
    if (stats === undefined) removeEmptyDir(dir, processes, log, report);
    else if (!ownedBy(stats, uid, 'socket')) {
      log.info('model socket kept: not a socket of this user', { path: socket });
      report.kept.push(socket);
    } else await recoverSocket(socket, processes, log, report);
  }
}

async function recoverSocket(
  socket: string,
  processes: ProcessInfo[],
  log: Logger,
  report: RecoverReport,
): Promise<void> {
  const holders = processes.filter((p) => p.argv.at(-1) === socket);
  const serving = holders.find((p) => isRunnerChild(p, holders));
  if (serving !== undefined) {
    log.info('model socket kept: its model serves a running component', {
      path: socket,
      pid: serving.pid,
      parent: serving.ppid,
    });
    report.kept.push(socket);
    return;
  }
  for (const orphan of holders) await stopOrphan(orphan, socket, log, report);
  // A probe that timed out says nothing (a busy machine): asked again before the socket is kept for good.
  let state = await probe(socket);
  for (let retry = 0; state === 'unknown' && retry < PROBE_RETRIES; retry++) state = await probe(socket);
  if (state === 'listening' || state === 'unknown') {
    log.info('model socket kept: something listens on it', { path: socket, probe: state });
    report.kept.push(socket);
    return;
  }
  if (state === 'refused' && remove(socket, log, report))
    log.info('removed model socket nothing listens on', { path: socket });
  removeDir(join(socket, '..'), log, report); // 'gone': a stopped orphan removed its own socket
}

/**
 * Whether a running linux-runner started this model: its parent is a Node.js process of the same user, other than
 * a process naming the same socket (a wrapper script running the model: the wrapper's own parent decides).
 */
function isRunnerChild(p: ProcessInfo, holders: ProcessInfo[]): boolean {
  if (p.ppid <= 1 || holders.some((h) => h.pid === p.ppid)) return false;
  const parent = readProcess(p.ppid);
  return parent !== undefined && parent.uid === p.uid && /^node(js)?\d*$/.test(basename(readExe(p.ppid)));
}

async function stopOrphan(orphan: ProcessInfo, socket: string, log: Logger, report: RecoverReport): Promise<void> {
  // Until it is gone (a zombie has closed its descriptors) or its pid is reused. An empty argv is a process
  // exiting: Linux frees its memory (and so its cmdline) before closing its descriptors, the socket included.
  const stillOurs = () => {
    const process = readProcess(orphan.pid);
    return process !== undefined && (process.argv.length === 0 || process.argv.at(-1) === socket);
  };
  for (const [signal, graceMs] of [
    ['SIGINT', ORPHAN_GRACE_MS],
    ['SIGKILL', ORPHAN_GRACE_MS / 2],
  ] as const) {
    if (!stillOurs()) return;
    try {
      process.kill(orphan.pid, signal);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'ESRCH')
        problem(report, log, `cannot stop orphaned model process ${orphan.pid}`, socket, cause);
      return;
    }
    const deadline = performance.now() + graceMs;
    while (stillOurs() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    if (!stillOurs()) {
      log.warn('stopped orphaned model process', { pid: orphan.pid, socket, signal, argv: orphan.argv });
      report.stopped.push(orphan.pid);
      return;
    }
  }
  problem(report, log, `orphaned model process ${orphan.pid} survived SIGKILL`, socket);
}

function removeEmptyDir(dir: string, processes: ProcessInfo[], log: Logger, report: RecoverReport): void {
  const stats = statOrUndefined(dir, log, report);
  if (stats === undefined || Date.now() - stats.mtimeMs < EMPTY_DIR_GRACE_MS) return;
  if (processes.some((p) => p.argv.at(-1)?.startsWith(`${dir}/`))) return; // a model about to open its socket
  removeDir(dir, log, report);
}

function removeDir(dir: string, log: Logger, report: RecoverReport): void {
  try {
    rmdirSync(dir);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY') problem(report, log, `cannot remove ${dir}`, dir, cause);
    return;
  }
  log.info('removed model socket directory', { path: dir });
  report.removed.push(dir);
}

/** 'refused': nobody listens (a leftover). 'listening' and 'unknown' (timeout, EAGAIN: a full backlog) keep it. */
function probe(socket: string): Promise<'listening' | 'refused' | 'gone' | 'unknown'> {
  return new Promise((resolve) => {
    const client = connect(socket);
    const done = (state: 'listening' | 'refused' | 'gone' | 'unknown') => {
      clearTimeout(timer);
      client.destroy();
      resolve(state);
    };
    const timer = setTimeout(() => done('unknown'), PROBE_TIMEOUT_MS);
    client.once('connect', () => done('listening'));
    client.once('error', (err: NodeJS.ErrnoException) =>
      done(err.code === 'ECONNREFUSED' ? 'refused' : err.code === 'ENOENT' ? 'gone' : 'unknown'),
    );
  });
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Effective uid. */
  uid: number;
  argv: string[];
}

/** This user's live processes (zombies have no argv and are left out). */
function listProcesses(uid: number): ProcessInfo[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return []; // no /proc: no orphan is recognised; a socket still goes only when nothing listens on it
  }
  return pids.map(readProcess).filter((p): p is ProcessInfo => p !== undefined && p.uid === uid && p.argv.length > 0);
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') return undefined;
    const uid = /^Uid:\s+\d+\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
    return uid === undefined ? undefined : { pid, ppid: Number(ppid), uid: Number(uid), argv };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** The executable of a process ('' when unreadable); a replaced binary reads as `<path> (deleted)`. */
function readExe(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    return '';
  }
}

function ownedBy(stats: Stats | undefined, uid: number, kind: 'dir' | 'socket'): boolean {
  if (stats === undefined || stats.uid !== uid) return false;
  return kind === 'dir' ? stats.isDirectory() : stats.isSocket(); // lstat: a symlink is neither
}
