import type { InferenceMode } from './inference-mode';
import type { InferenceRequest, RequestFailure } from './inference-request';

export type Submission = { queued: true; position: number } | { queued: false; code: RequestFailure; message: string };

export interface InferenceRequestsOptions {
  mode: () => InferenceMode;
  /** How many requests may wait while one is being served. */
  limit: () => number;
  /** Answers a request that failed after it was queued (a request gets exactly one answer: a result or this). */
  fail: (request: InferenceRequest, code: RequestFailure, message: string) => void;
}

/**
 * The bounded queue of on-demand inference requests between the intakes (local topic, `infer` command) and
 * the pipeline that serves them one at a time. It outlives pipeline restarts; a request beyond the bound is
 * refused at once, so a requester always hears back instead of waiting on a request that was dropped.
 */
export class InferenceRequests {
  private readonly pending: InferenceRequest[] = [];
  private waiter: ((request: InferenceRequest | undefined) => void) | undefined;

  constructor(private readonly options: InferenceRequestsOptions) {}

  get waiting(): number {
    return this.pending.length;
  }

  /** Queues a request, or says why not (the caller answers the refusal where the request came from). */
  submit(request: InferenceRequest): Submission {
    if (this.options.mode() !== 'triggered') {
      return {
        queued: false,
        code: 'NOT_TRIGGERED',
        message: 'inference_mode is continuous: set it to triggered to request inferences',
      };
    }
    if (this.waiter) {
      const serve = this.waiter;
      this.waiter = undefined;
      serve(request);
      return { queued: true, position: 0 };
    }
    const limit = this.options.limit();
    if (this.pending.length >= limit) {
      return {
        queued: false,
        code: 'QUEUE_FULL',
        message: `inference queue full: ${limit} requests already waiting (inference_queue_limit); request refused`,
      };
    }
    this.pending.push(request);
    return { queued: true, position: this.pending.length };
  }

  /** The next request to serve, waiting for one; undefined once `signal` aborts (the pipeline is stopping). */
  next(signal: AbortSignal): Promise<InferenceRequest | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    const queued = this.pending.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const onAbort = () => {
        if (this.waiter === serve) this.waiter = undefined;
        resolve(undefined);
      };
      const serve = (request: InferenceRequest | undefined) => {
        signal.removeEventListener('abort', onAbort);
        resolve(request);
      };
      this.waiter = serve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Answers a taken request with an error (the model failed, the input ended). */
  fail(request: InferenceRequest, code: RequestFailure, message: string): void {
    this.options.fail(request, code, message);
  }

  /** Answers every waiting request with an error and empties the queue (mode switched, component stopping). */
  failPending(code: RequestFailure, message: string): void {
    for (const request of this.pending.splice(0)) this.options.fail(request, code, message);
  }
}
