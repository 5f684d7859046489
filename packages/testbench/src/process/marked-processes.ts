import { readdirSync, readFileSync } from 'node:fs';

/** The variable a test puts in the environment of what it starts; every descendant inherits it. */
export const TEST_MARKER_ENV = 'EI_GG_TEST_MARKER';

export interface MarkedProcess {
  pid: number;
  command: string;
  environ: string;
}

/** Live processes (zombies excluded) whose environment carries `marker`: what a test left behind. */
export function markedProcesses(marker: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (!environ.includes(`${TEST_MARKER_ENV}=${marker}`)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (/\) Z /.test(stat)) continue; // a zombie has exited; its parent just has not reaped it yet
      found.push({
        pid: Number(entry),
        command: readFileSync(`/proc/${entry}/cmdline`, 'latin1').replace(/\0/g, ' ').trim(),
        environ,
      });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
