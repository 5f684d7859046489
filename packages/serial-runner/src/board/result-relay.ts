import { RepeatedErrorLog, type InferenceResult, type Logger } from '@ei-gg/core';

const SUBJECT = 'result relay';

export interface ResultRelayOptions {
  /**
   * Results that may wait while the one before them is processed (the publisher is full while the broker is
   * away, and the board does not stop streaming); beyond it the oldest waiting result is dropped. Default 1000.
   */
  maxWaiting?: number;
  /** Called for every result dropped because `maxWaiting` were already waiting (to count and log it). */
  onDropped?: (limit: number) => void;
}

/**
 * Feeds a stream of results into the shared inference relay one at a time, in arrival order. A result whose
 * processing fails (a publish that throws) is logged as a repeated error and counted there; the next result
 * is processed all the same. The results waiting are bounded: a long broker outage costs the oldest of them,
 * each reported to `onDropped`, never memory without end.
 */
export class ResultRelay {
  private readonly faults: RepeatedErrorLog;
  private readonly maxWaiting: number;
  private readonly waiting: InferenceResult[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly process: (result: InferenceResult) => Promise<unknown>,
    logger: Logger,
    private readonly options: ResultRelayOptions = {},
  ) {
    this.faults = new RepeatedErrorLog({ logger });
    this.maxWaiting = options.maxWaiting ?? 1000;
  }

  push(result: InferenceResult): void {
    this.waiting.push(result);
    if (this.waiting.length > this.maxWaiting) {
      this.waiting.shift();
      this.options.onDropped?.(this.maxWaiting);
    }
    this.draining ??= this.drain();
  }

  /** Resolves once every result pushed so far is processed (never rejects). */
  drained(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  /** Logs the failures no line has counted yet and stops the log's timers. */
  close(): void {
    this.faults.close();
  }

  private async drain(): Promise<void> {
    for (let result = this.waiting.shift(); result; result = this.waiting.shift()) {
      try {
        await this.process(result);
        this.faults.succeeded(SUBJECT);
      } catch (err) {
        this.faults.failed(SUBJECT, err);
      }
    }
    this.draining = undefined;
  }
}
