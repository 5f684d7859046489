import { readFileSync } from 'node:fs';
import { round } from './statistics';

/** Where a process's resident memory is, by what its mappings hold (MB, from /proc/<pid>/smaps). */
export interface ResidentBreakdown {
  /** The Node binary's own pages: its code, read-only data (V8 snapshot, ICU) and data. */
  node_binary: number;
  /** glibc's main arena (`[heap]`): malloc of the main thread. */
  malloc_main_arena: number;
  /** Anonymous mappings: V8's heap spaces, other threads' malloc arenas, thread stacks, Buffers. */
  anonymous: number;
  /** Addons (`*.node`) and the libraries shipped with them in the artifact (libvips). */
  native_modules: number;
  /** The system's shared libraries (libc, libstdc++, ...) and any other file. */
  other_files: number;
}

export function residentBreakdown(pid: number): ResidentBreakdown {
  const kb: ResidentBreakdown = {
    node_binary: 0,
    malloc_main_arena: 0,
    anonymous: 0,
    native_modules: 0,
    other_files: 0,
  };
  let part: keyof ResidentBreakdown = 'anonymous';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    // A mapping's header: address range, permissions, offset, device, inode, then its path or [name] if any.
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      part = mappingPart(header[1]);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kb[part] += Number(rss[1]);
  }
  const mb = { ...kb };
  for (const key of Object.keys(mb) as Array<keyof ResidentBreakdown>) mb[key] = round(kb[key] / 1024, 1);
  return mb;
}

function mappingPart(path: string): keyof ResidentBreakdown {
  if (path === '[heap]') return 'malloc_main_arena';
  if (path === '' || path.startsWith('[')) return 'anonymous';
  if (path.endsWith('/node/bin/node')) return 'node_binary';
  if (path.endsWith('.node') || path.includes('/app/node_modules/')) return 'native_modules';
  return 'other_files';
}
