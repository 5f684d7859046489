import { RepeatedErrorLog, type InferenceResult, type Logger } from '@ei-gg/core';

const SUBJECT = 'result relay';

/**
 * Feeds a stream of results into the shared inference relay one at a time, in arrival order. A result whose
 * processing fails (a publish that throws) is logged as a repeated error and counted there; the next result
 * is processed all the same.
 */
export class ResultRelay {
  private readonly faults: RepeatedErrorLog;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly process: (result: InferenceResult) => Promise<unknown>,
    logger: Logger,
  ) {
    this.faults = new RepeatedErrorLog({ logger });
  }

  push(result: InferenceResult): void {
    this.tail = this.tail.then(async () => {
      try {
        await this.process(result);
        this.faults.succeeded(SUBJECT);
      } catch (err) {
        this.faults.failed(SUBJECT, err);
      }
    });
  }

  /** Resolves once every result pushed so far is processed (never rejects). */
  drained(): Promise<void> {
    return this.tail;
  }

  /** Logs the failures no line has counted yet and stops the log's timers. */
  close(): void {
    this.faults.close();
  }
}
