/**
 * Preloaded into a component process by the bench (`--require memory-probe.js`, on the command line or in
 * NODE_OPTIONS, so the packaged artifact runs with its own node flags), never shipped: on SIGUSR2 it collects
 * garbage, optionally writes a heap snapshot, then writes `process.memoryUsage()` to
 * `$EI_GG_BENCH_PROBE_DIR/memory.json` (last, so its presence means the probe is done).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';

const dir = process.env.EI_GG_BENCH_PROBE_DIR;
if (dir === undefined) throw new Error('memory-probe: EI_GG_BENCH_PROBE_DIR is not set');
// --expose-gc is not allowed in NODE_OPTIONS: set it now, and take gc from a context created after it.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

process.on('SIGUSR2', () => {
  collect();
  if (process.env.EI_GG_BENCH_HEAP_SNAPSHOT === '1') writeHeapSnapshot(join(dir, 'after-gc.heapsnapshot'));
  const partial = join(dir, 'memory.json.part');
  writeFileSync(partial, JSON.stringify(process.memoryUsage()));
  renameSync(partial, join(dir, 'memory.json'));
});
