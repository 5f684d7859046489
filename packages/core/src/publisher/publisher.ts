import { TransportError } from '../errors';
import type { Logger } from '../logging/logger';
import { RepeatedErrorLog } from '../logging/repeated-error-log';
import type { PublishOptions, Qos, Transport } from '../transport/transport';

/** AWS IoT Core's default maximum message size. */
export const IOT_CORE_MAX_PAYLOAD_BYTES = 128 * 1024;

export type PublishResult = 'published' | 'failed' | 'oversized';

/** Shrinks a payload that is too large (e.g. drops the image); undefined when it cannot. */
export type FitPayload = (payload: Record<string, unknown>, limitBytes: number) => Record<string, unknown> | undefined;

export interface PublisherOptions {
  transport: Transport;
  logger: Logger;
  /** Read at every publish so a live configuration change of `iotcore_qos` applies at once. */
  qos: () => Qos;
  /** Publishes allowed in flight before `whenWritable()` waits (back-pressure instead of a promise pile). */
  maxInFlight?: number;
  maxPayloadBytes?: number;
}

export interface PublisherCounters {
  published: number;
  failed: number;
  oversized: number;
}

/**
 * Sends JSON messages through a transport in call order, with a bounded number in flight. Every message
 * ends as published, failed or oversized, counted and logged: nothing is dropped silently.
 *
 * @example
 * ```ts
 * const publisher = new Publisher({ transport, logger, qos: () => config.current.iotcore_qos });
 * await publisher.whenWritable(); // back-pressure: wait for room before producing more
 * const fate = await publisher.publish(topics.inferenceOutput, payload); // 'published' | 'failed' | 'oversized'
 * await publisher.flush(3000); // at stop: the publishes in flight, within a deadline
 * ```
 */
export class Publisher {
  readonly counters: PublisherCounters = { published: 0, failed: 0, oversized: 0 };
  private readonly maxInFlight: number;
  private readonly maxPayloadBytes: number;
  private readonly inFlight = new Set<Promise<PublishResult>>();
  private readonly waiters: Array<() => void> = [];
  /** An outage fails every publish: logged once, then summarised, never a line per message. */
  private readonly faults: RepeatedErrorLog;

  constructor(private readonly options: PublisherOptions) {
    this.faults = new RepeatedErrorLog({ logger: options.logger });
    this.maxInFlight = options.maxInFlight ?? 32;
    this.maxPayloadBytes = options.maxPayloadBytes ?? IOT_CORE_MAX_PAYLOAD_BYTES;
  }

  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves when another publish may start; producers await it to slow down when the link is slow. */
  async whenWritable(): Promise<void> {
    while (this.inFlight.size >= this.maxInFlight) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Starts a publish at once (call `whenWritable()` first to respect the bound) and settles with its fate. */
  publish(
    topic: string,
    message: Record<string, unknown>,
    options: Partial<PublishOptions> & { fit?: FitPayload } = {},
  ): Promise<PublishResult> {
    const body = this.encode(topic, message, options.fit);
    if (body === undefined) return Promise.resolve('oversized');
    const publishOptions: PublishOptions = { qos: options.qos ?? this.options.qos(), retain: options.retain ?? false };
    const attempt = this.options.transport.publish(topic, body, publishOptions).then(
      (): PublishResult => {
        this.counters.published++;
        this.faults.succeeded('publish');
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
      this.waiters.shift()?.();
    });
    return attempt;
  }

  /** Waits for everything in flight, at most `deadlineMs`; true when all settled in time. */
  async flush(deadlineMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
    const settled = Promise.all([...this.inFlight]).then(() => true as const);
    try {
      return await Promise.race([settled, timeout]);
    } finally {
      clearTimeout(timer);
    }
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
