import { readdirSync, readFileSync } from 'node:fs';

/** Whether a process exists (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** Live processes of the process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return allPids().filter((pid) => {
    const stat = readStat(pid);
    return stat !== undefined && stat.pgid === pgid && stat.state !== 'Z';
  });
}

/** `root` and every live process below it. */
export function processTree(root: number): number[] {
  const parents = new Map(
    allPids().flatMap((pid) => {
      const stat = readStat(pid);
      return stat && stat.state !== 'Z' ? [[pid, stat.ppid] as const] : [];
    }),
  );
  const tree = parents.has(root) ? [root] : [];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** A process's argv as the kernel holds it (what `ps` and other users see). */
export function commandLine(pid: number): string[] | undefined {
  return readNulSeparated(`/proc/${pid}/cmdline`);
}

export function environment(pid: number): Record<string, string> | undefined {
  const entries = readNulSeparated(`/proc/${pid}/environ`);
  return entries && Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

function readNulSeparated(path: string): string[] | undefined {
  try {
    return readFileSync(path, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

function readStat(pid: number): { state: string; ppid: number; pgid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid), pgid: Number(pgid) };
  } catch {
    return undefined;
  }
}
