/**
 * Bridges a pushing producer (a GStreamer pipe) to a pulling consumer (the inference loop). `all` keeps every
 * item and reports a backlog so the producer can be paused (a video file: every frame, in order, with pipe
 * back-pressure); `latest` keeps only the newest item (a live camera or microphone: never classify stale data).
 */
export class PullQueue<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: Error | undefined;

  constructor(
    private readonly keep: 'all' | 'latest',
    private readonly onBacklog: (backlogged: boolean) => void = () => undefined,
    private readonly highWater = 2,
  ) {}

  push(item: T): void {
    if (this.ended) return;
    if (this.keep === 'latest') this.items = [item];
    else this.items.push(item);
    if (this.items.length >= this.highWater) this.onBacklog(true);
    this.notify();
  }

  /** No more items; with `failure`, next() throws it once the queued items are taken. */
  end(failure?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.notify();
  }

  /** Drops what is queued and ends without failure (a stop, not an input error). */
  close(): void {
    this.items = [];
    this.end();
  }

  async next(): Promise<T | undefined> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        if (this.items.length < this.highWater) this.onBacklog(false);
        return item;
      }
      if (this.ended) {
        if (this.failure) throw this.failure;
        return undefined;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
