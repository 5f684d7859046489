import { TriggerError } from '../errors';
import type { GreengrassRuntime, LocalMessage } from '../greengrass/greengrass-runtime';
import type { Logger } from '../logging/logger';
import { parseInferenceRequest, type InferenceRequest, type RequestFailure } from './inference-request';
import type { InferenceRequests } from './inference-requests';

export type AnswerFailure = (request: InferenceRequest, code: RequestFailure, message: string) => void;

/**
 * Inference requests from other components on the device: follows the local request topic (SubscribeToTopic),
 * validates each message and queues it; a malformed or refused request is answered with an error at once.
 */
export class LocalRequestIntake {
  private topic: string | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly runtime: GreengrassRuntime,
    private readonly requests: InferenceRequests,
    private readonly answerFailure: AnswerFailure,
    private readonly logger: Logger,
  ) {}

  /** Subscribes to `topic` (undefined: none), replacing the previous subscription when it differs. */
  async follow(topic: string | undefined): Promise<void> {
    if (topic === this.topic) return;
    await this.stop();
    if (!topic) return;
    this.unsubscribe = await this.runtime.subscribeToTopic(topic, (message) => this.receive(message));
    this.topic = topic;
    this.logger.info('accepting inference requests on local pub/sub', { topic });
  }

  async stop(): Promise<void> {
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    this.topic = undefined;
    await unsubscribe?.();
  }

  private receive(message: LocalMessage): void {
    let request: InferenceRequest;
    try {
      request = parseInferenceRequest(message);
    } catch (error) {
      if (!(error instanceof TriggerError)) throw error;
      const id = error.context.id as string | undefined;
      this.logger.warn('inference request refused', { reason: error.message });
      return this.answerFailure(
        { origin: 'local', ...(id !== undefined ? { id } : {}) },
        'INVALID_REQUEST',
        error.message,
      );
    }
    const submission = this.requests.submit(request);
    if (!submission.queued) this.answerFailure(request, submission.code, submission.message);
  }
}
