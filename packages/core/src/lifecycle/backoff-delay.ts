/**
 * Exponential back-off with equal jitter for reconnects and restarts: attempt 0 waits about `baseMs`, each
 * attempt doubles up to `maxMs`; half the delay is fixed, half random, so peers restarted together spread out.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const delayMs = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return delayMs / 2 + Math.random() * (delayMs / 2);
}
