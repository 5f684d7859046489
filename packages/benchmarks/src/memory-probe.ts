/**
 * Preloaded into a component process by the bench (`node --expose-gc --require memory-probe.js bin`), never shipped:
 * on SIGUSR2 it collects garbage, optionally writes a heap snapshot, then writes `process.memoryUsage()` to
 * `$EI_GG_BENCH_PROBE_DIR/memory.json` (last, so its presence means the probe is done).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

const dir = process.env.EI_GG_BENCH_PROBE_DIR;
if (dir === undefined) throw new Error('memory-probe: EI_GG_BENCH_PROBE_DIR is not set');
const collect = globalThis.gc;
if (collect === undefined) throw new Error('memory-probe: run node with --expose-gc');

process.on('SIGUSR2', () => {
  collect();
  if (process.env.EI_GG_BENCH_HEAP_SNAPSHOT === '1') writeHeapSnapshot(join(dir, 'after-gc.heapsnapshot'));
  const partial = join(dir, 'memory.json.part');
  writeFileSync(partial, JSON.stringify(process.memoryUsage()));
  renameSync(partial, join(dir, 'memory.json'));
});
