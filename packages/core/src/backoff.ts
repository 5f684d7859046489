/**
 * Publish back-off (`iotcore_backoff`): of the results that passed the threshold filter, publish every Nth.
 * The first result is published, then every Nth after it: N=5 publishes results 1, 6, 11, ...
 * N <= 1 (the original's `-1` included) publishes every result.
 */
export class Backoff {
  private every = 1;
  /** Results seen since the last published one, modulo `every`. */
  private position = 0;

  constructor(every: number) {
    this.setEvery(every);
  }

  /** Changes N (a live configuration update) and restarts the cycle: the next result is published. */
  setEvery(every: number): void {
    if (!Number.isInteger(every)) throw new RangeError(`backoff must be an integer (got ${every})`);
    this.every = Math.max(1, every);
    this.position = 0;
  }

  /** Whether the next result is to be published. */
  next(): boolean {
    const publish = this.position === 0;
    this.position = (this.position + 1) % this.every;
    return publish;
  }
}
