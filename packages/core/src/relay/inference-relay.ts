import { randomUUID } from 'node:crypto';
import type { Backoff } from '../backoff';
import type { DeviceTopics } from '../identity/topics';
import type { MetricsAccumulator } from '../metrics/metrics-accumulator';
import { dropImageToFit } from '../publisher/drop-image-to-fit';
import type { Publisher, PublishResult } from '../publisher/publisher';
import {
  encodeInferencePayload,
  isEmptyResult,
  type InferencePayload,
  type InferencePayloadContext,
} from '../results/encode-inference-payload';
import type { InferenceResult } from '../results/inference-result';
import type { ThresholdFilter } from '../threshold-filter';
import type { InferenceRequest } from '../triggers/inference-request';
import { withTimeout } from '../timing/with-timeout';

export type ProcessOutcome = 'queued' | 'filtered' | 'skipped' | 'empty';

export interface InferenceRelayOptions {
  publisher: Publisher;
  topics: DeviceTopics;
  filter: ThresholdFilter;
  metrics: MetricsAccumulator;
  backoff: Backoff;
  /** What becomes of a result beyond its payload (linux-runner: image publishing, s3 fields, caching). */
  output?: InferenceOutput;
  /** Local pub/sub for other components on the device; runs beside the cloud publish, never delays it. */
  publishLocal?: (payload: InferencePayload) => Promise<void>;
  clock?: () => number;
}

/** What a component's features add to every inference: the frame in the payload, the s3 fields, caching. */
export interface InferenceOutput {
  /** Whether the component should encode its frame (published, or stored by a cache). */
  wantsImage(): boolean;
  /** Whether the frame goes into the payload (caches get it anyway). */
  publishImage(): boolean;
  /** The payload's s3 fields. */
  s3Fields(): InferencePayloadContext['s3'];
  /** Called with every published payload, e.g. to write the caches; failures are the callee's to report. */
  published(payload: InferencePayload, image?: Buffer): Promise<void>;
}

/**
 * The shared path of every inference, the same for both runners: metrics (before any filtering), threshold
 * filter, backoff, payload, publish. Waits only for room in the publisher (back-pressure), not for the
 * broker's acknowledgement, so a slow link slows the producer instead of piling up promises.
 */
export class InferenceRelay {
  private total = 0;
  /** Each result handed to the publisher, until it is published (or failed) and what follows it (caching) is done. */
  private readonly settling = new Set<Promise<void>>();

  constructor(private readonly options: InferenceRelayOptions) {}

  get totalInferences(): number {
    return this.total;
  }

  /** Whether {@link process} wants the frame of a result (to publish or cache it); encoding it costs time. */
  wantsImage(): boolean {
    return this.options.output?.wantsImage() ?? false;
  }

  /** Restart of the pipeline: the running count starts over (as metrics do). */
  resetCount(): void {
    this.total = 0;
  }

  /**
   * `image`: the model-input frame as JPEG, when publishing or caching images is enabled. `request`: the
   * on-demand request this result answers; an answer is always published (no backoff, even when nothing
   * passes the filter: then `inference_count` is 0) and carries the request's id as `request_id`.
   */
  async process(result: InferenceResult, image?: Buffer, request?: InferenceRequest): Promise<ProcessOutcome> {
    const { filter, metrics, backoff, publisher, topics } = this.options;
    metrics.recordResult(result);
    this.total++;
    const kept = filter.apply(result);
    if (!kept) metrics.countFiltered();
    if (!request) {
      if (!kept) return 'filtered';
      if (isEmptyResult(kept)) return 'empty';
      if (!backoff.next()) return 'skipped';
    }
    const { output } = this.options;
    const payload = encodeInferencePayload(kept ?? { timing: result.timing }, {
      id: randomUUID(),
      ts: (this.options.clock ?? Date.now)(),
      totalInferences: this.total,
      ...(image && output?.publishImage() ? { image: image.toString('base64') } : {}),
      ...(output ? { s3: output.s3Fields() } : {}),
      ...(request ? { answer: { requestId: request.id } } : {}),
    });
    if (!payload) return 'empty';
    void this.options.publishLocal?.(payload);
    await publisher.whenWritable();
    const delivered = publisher
      .publish(topics.inferenceOutput, payload, { fit: dropImageToFit })
      .then((outcome: PublishResult) => {
        if (outcome !== 'published') return metrics.countFailed();
        metrics.countPublished();
        return output?.published(payload, image);
      });
    // Failures are counted above or reported by the output itself; the set only tracks when each one is over.
    const settled: Promise<void> = delivered
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => this.settling.delete(settled));
    this.settling.add(settled);
    return 'queued';
  }

  /**
   * At stop: resolves true once every result handed over so far is published (or failed) and cached, or false
   * when `deadlineMs` passes first. The caches close after this, so a graceful stop leaves no half-written entry.
   */
  async drain(deadlineMs: number): Promise<boolean> {
    const drained = Promise.all([...this.settling]).then(() => true);
    return withTimeout(drained, deadlineMs).catch(() => false);
  }
}
