/**
 * Settles like `promise`, or rejects when it has not settled within `ms`: with `timeout()` when given, else with
 * "timed out after N ms" (naming `timeout` when it is a description). The timer is cleared either way, so a race
 * that is over never keeps the process alive.
 *
 * @example
 * ```ts
 * await withTimeout(session.stopImpulse(), 1500, 'the board to stop the impulse');
 * ```
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, timeout?: string | (() => Error)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      if (typeof timeout === 'function') return reject(timeout());
      reject(new Error(`timed out after ${ms} ms${timeout === undefined ? '' : ` waiting for ${timeout}`}`));
    }, ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
