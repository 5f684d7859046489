/**
 * The last `capacity` values of a stream (a ring buffer), for statistics over recent values only: latency
 * percentiles, share of recent confidences below a threshold. Non-finite values are ignored.
 */
export class SlidingWindow {
  private readonly values: number[] = [];
  /** Where the next value goes once the window is full. */
  private oldest = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`window capacity must be a positive integer (got ${capacity})`);
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.values.length < this.capacity) {
      this.values.push(value);
    } else {
      this.values[this.oldest] = value;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
  }

  get size(): number {
    return this.values.length;
  }

  /** Nearest-rank percentiles (each p in (0, 100]) of the values in the window; all 0 when it is empty. */
  percentiles(ps: readonly number[]): number[] {
    const sorted = [...this.values].sort((a, b) => a - b);
    return ps.map((p) => (sorted.length ? sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] : 0));
  }

  /** Fraction of the values in the window strictly below `threshold`; 0 when it is empty. */
  shareBelow(threshold: number): number {
    return this.values.length ? this.values.filter((v) => v < threshold).length / this.values.length : 0;
  }
}
