import { TransportError } from '../errors';
import type { Logger } from '../logging/logger';
import { RepeatedErrorLog } from '../logging/repeated-error-log';
import type { PublishOptions, Qos, Transport } from '../transport/transport';

/** AWS IoT Core's default maximum message size. */
export const IOT_CORE_MAX_PAYLOAD_BYTES = 128 * 1024;

export type PublishResult = 'published' | 'failed' | 'oversized' | 'dropped';

/** Shrinks a payload that is too large (e.g. drops the image); undefined when it cannot. */
export type FitPayload = (payload: Record<string, unknown>, limitBytes: number) => Record<string, unknown> | undefined;

export interface PublisherOptions {
  transport: Transport;
  logger: Logger;
  /** Read at every publish so a live configuration change of `iotcore_qos` applies at once. */
  qos: () => Qos;
  /** Publishes allowed in flight before `whenWritable()` waits (back-pressure instead of a promise pile). */
  maxInFlight?: number;
  /**
   * Messages of producers that do not wait (the metrics timer) held beyond `maxInFlight` while the broker is away;
   * beyond it the oldest is dropped and counted. Default 1000.
   */
  maxQueued?: number;
  maxPayloadBytes?: number;
}

export interface PublisherCounters {
  published: number;
  failed: number;
  oversized: number;
  /** Messages given up while the broker was away too long: the publisher's queue, or a producer that cannot wait. */
  dropped: number;
}

/** The fault under which drops are logged: once, then a count per interval, then `recovered` with the total. */
const DROPPED = 'publish while the broker is away';

interface Queued {
  start(): void;
  drop(): void;
}

/**
 * Sends JSON messages through a transport in call order, with a bounded number in flight, so that a broker outage
 * cannot grow the transport's offline queue without end: beyond `maxInFlight`, messages wait here, at most
 * `maxQueued`, the oldest dropped first. Every message ends as published, failed, oversized or dropped, counted
 * and logged once per fault: nothing is dropped silently.
 *
 * @example
 * ```ts
 * const publisher = new Publisher({ transport, logger, qos: () => config.current.iotcore_qos });
 * await publisher.whenWritable(); // back-pressure: wait for room before producing more
 * const fate = await publisher.publish(topics.inferenceOutput, payload); // 'published' | 'failed' | 'oversized' | 'dropped'
 * await publisher.flush(3000); // at stop: the publishes in flight, within a deadline
 * ```
 */
export class Publisher {
  readonly counters: PublisherCounters = { published: 0, failed: 0, oversized: 0, dropped: 0 };
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly queued: Queued[] = [];
  private readonly maxPayloadBytes: number;
  private readonly inFlight = new Set<Promise<PublishResult>>();
  private readonly waiters: Array<() => void> = [];
  /** An outage fails every publish: logged once, then summarised, never a line per message. */
  private readonly faults: RepeatedErrorLog;

  constructor(private readonly options: PublisherOptions) {
    this.faults = new RepeatedErrorLog({ logger: options.logger });
    this.maxInFlight = options.maxInFlight ?? 32;
    this.maxQueued = options.maxQueued ?? 1000;
    this.maxPayloadBytes = options.maxPayloadBytes ?? IOT_CORE_MAX_PAYLOAD_BYTES;
  }

  /** Messages in flight or queued. */
  get pending(): number {
    return this.inFlight.size + this.queued.length;
  }

  /**
   * Resolves when another publish may start at once; producers that can wait await it to slow down when the link
   * is slow (then nothing of theirs is ever queued or dropped).
   */
  async whenWritable(): Promise<void> {
    while (this.pending >= this.maxInFlight) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /**
   * Counts a message for `topic` that a producer which cannot wait (a board streaming results) gave up while the
   * publisher was full, with the publisher's own drops: one fault, logged once plus a count. `reason` says which
   * bound was reached.
   */
  recordDropped(topic: string, reason: string): void {
    this.counters.dropped++;
    this.faults.failed(DROPPED, new TransportError(`${reason}: the oldest are dropped first`), { topic });
  }

  /**
   * Publishes at once, or queues the message while `maxInFlight` are in flight (call `whenWritable()` first to
   * never queue), and settles with its fate.
   */
  publish(
    topic: string,
    message: Record<string, unknown>,
    options: Partial<PublishOptions> & { fit?: FitPayload } = {},
  ): Promise<PublishResult> {
    const body = this.encode(topic, message, options.fit);
    if (body === undefined) return Promise.resolve('oversized');
    const publishOptions: PublishOptions = { qos: options.qos ?? this.options.qos(), retain: options.retain ?? false };
    if (this.pending < this.maxInFlight) return this.start(topic, body, publishOptions);
    return new Promise<PublishResult>((resolve) => {
      this.queued.push({
        start: () => resolve(this.start(topic, body, publishOptions)),
        drop: () => resolve('dropped'),
      });
      if (this.queued.length > this.maxQueued) {
        this.queued.shift()!.drop();
        this.recordDropped(topic, `the broker is away and ${this.maxQueued} messages wait for it`);
      }
    });
  }

  /** Waits for everything in flight or queued, at most `deadlineMs`; true when all settled in time. */
  async flush(deadlineMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
    const settled = (async () => {
      // A settling publish starts the next queued one before this wakes up.
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      return true as const;
    })();
    try {
      return await Promise.race([settled, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private start(topic: string, body: string, publishOptions: PublishOptions): Promise<PublishResult> {
    const attempt = this.options.transport.publish(topic, body, publishOptions).then(
      (): PublishResult => {
        this.counters.published++;
        this.faults.succeeded('publish');
        this.faults.succeeded(DROPPED);
        return 'published';
      },
      (err: unknown): PublishResult => {
        this.counters.failed++;
        this.faults.failed('publish', err instanceof TransportError ? err : new Error(String(err)), { topic });
        return 'failed';
      },
    );
    this.inFlight.add(attempt);
    void attempt.then(() => {
      this.inFlight.delete(attempt);
      const next = this.queued.shift();
      if (next) next.start();
      else this.waiters.shift()?.();
    });
    return attempt;
  }

  private encode(topic: string, message: Record<string, unknown>, fit?: FitPayload): string | undefined {
    const body = JSON.stringify(message);
    const size = Buffer.byteLength(body);
    if (size <= this.maxPayloadBytes) return body;
    const smaller = fit?.(message, this.maxPayloadBytes);
    const smallerBody = smaller && JSON.stringify(smaller);
    if (smallerBody && Buffer.byteLength(smallerBody) <= this.maxPayloadBytes) {
      this.options.logger.warn('message too large; published a reduced version', {
        topic,
        bytes: size,
        limit: this.maxPayloadBytes,
      });
      return smallerBody;
    }
    this.counters.oversized++;
    this.options.logger.error('message too large for IoT Core; not published', {
      topic,
      bytes: size,
      limit: this.maxPayloadBytes,
    });
    return undefined;
  }
}
