import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './statistics';

export interface Footprint {
  /** VmRSS of the component process. */
  rss_mb: number;
  /** RssAnon: heap, stacks and other private memory, without mapped files (node binary, shared libraries). */
  rss_anon_mb: number;
  /** V8 heap in use after a full garbage collection. */
  heap_after_gc_mb: number;
  /** process.memoryUsage().external after that collection: Buffers and what native bindings report to V8. */
  external_after_gc_mb: number;
}

/** The node arguments that load the memory probe into a component process (bench only, not a product flag). */
export function memoryProbeArgs(): string[] {
  return ['--require', require.resolve('./memory-probe')];
}

/** memoryProbeArgs() as NODE_OPTIONS, for a process whose node command line is not ours (lifecycle.sh run). */
export function memoryProbeNodeOptions(): string {
  return `--require=${require.resolve('./memory-probe')}`;
}

/**
 * Footprint of a process started with memoryProbeArgs() and EI_GG_BENCH_PROBE_DIR=probeDir: RSS figures are read
 * before the probe's collection (what the process holds while running), the heap after it.
 */
export async function measureFootprint(pid: number, probeDir: string, timeoutMs = 120_000): Promise<Footprint> {
  const status = readFileSync(join('/proc', String(pid), 'status'), 'utf8');
  const rssMb = statusMegabytes(status, 'VmRSS', pid);
  const anonMb = statusMegabytes(status, 'RssAnon', pid);
  const done = join(probeDir, 'memory.json');
  // A previous sample's file would read as this one's (the soak samples one process again and again).
  rmSync(done, { force: true });
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(done)) {
    if (Date.now() > deadline) throw new Error(`memory probe of pid ${pid} wrote no ${done} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const usage = JSON.parse(readFileSync(done, 'utf8')) as NodeJS.MemoryUsage;
  const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
  return {
    rss_mb: round(rssMb, 1),
    rss_anon_mb: round(anonMb, 1),
    heap_after_gc_mb: mb(usage.heapUsed),
    external_after_gc_mb: mb(usage.external),
  };
}

function statusMegabytes(status: string, field: string, pid: number): number {
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no ${field} in /proc/${pid}/status`);
  return kb / 1024;
}
