/**
 * Delay before a retry (reconnects, restarts): exponential with equal jitter. Attempt 0 waits about `baseMs`, each
 * attempt doubles up to `maxMs`; half the delay is fixed, half random, so peers restarted together spread out.
 *
 * @example
 * ```ts
 * const delayMs = retryDelay(attempt++, 500, config.current.sleep_time_sec * 1000); // ~0.5 s, 1 s, 2 s, ... capped
 * ```
 */
export function retryDelay(attempt: number, baseMs: number, maxMs: number): number {
  const delayMs = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return delayMs / 2 + Math.random() * (delayMs / 2);
}
