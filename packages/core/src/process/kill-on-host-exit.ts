const kills = new Set<() => void>();
let hooked = false;

/**
 * Runs `kill` should this process exit while the child still runs (a crash, process.exit, a jest worker being
 * ended), so no child outlives it; returns the function that forgets it. One 'exit' listener for all children,
 * however many run at once.
 */
export function killOnHostExit(kill: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => kills.forEach((run) => run()));
  }
  kills.add(kill);
  return () => void kills.delete(kill);
}
