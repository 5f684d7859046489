/** Runs a request's model call once the API requests admitted before it have had theirs. */
export type AtModel = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * The API's share of the one model process it shares with the input loop. At most `1 + waiting` requests are
 * admitted at a time (from arrival until answered); a request beyond that is refused at once (503) rather than
 * queued without end. Admitted requests reach the model one at a time, so the input loop's next item waits behind
 * at most one API request (ModelSession runs calls in arrival order): a flood of API requests slows the camera
 * loop to half the model's rate at worst, never stops it.
 */
export class ApiQueue {
  private admitted = 0;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly waiting: number) {}

  /** `request`'s promise, or undefined (not run) when the queue is full. */
  tryRun<T>(request: (atModel: AtModel) => Promise<T>): Promise<T> | undefined {
    if (this.admitted > this.waiting) return undefined;
    this.admitted++;
    return request((work) => this.exclusive(work)).finally(() => this.admitted--);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
