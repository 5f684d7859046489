import type { CommandReply } from '../commands/command-replies';
import type { VerbHandler } from '../commands/command-router';
import { CommandError } from '../errors';
import type { GreengrassRuntime } from '../greengrass/greengrass-runtime';
import type { DeviceTopics } from '../identity/topics';
import type { Logger } from '../logging/logger';
import type { InferenceMode } from './inference-mode';
import type { InferenceRequest, RequestFailure } from './inference-request';
import { InferenceRequests } from './inference-requests';
import { LocalRequestIntake } from './local-request-intake';
import { inferenceRequestTopic } from './request-topic';

/** The keys of triggered mode (runners only; absent keys mean continuous). */
export interface TriggerSettings {
  inference_mode?: InferenceMode;
  inference_queue_limit?: number;
  inference_request_topic?: string;
}

export interface OnDemandInferenceOptions {
  settings: () => TriggerSettings;
  topics: DeviceTopics;
  /** Under Greengrass: local requests come in, and local failures go out, over local pub/sub. */
  runtime?: GreengrassRuntime;
  /** Where local requests are answered (the local results topic), if anywhere. */
  localResultsTopic: () => string | undefined;
  reply: (reply: CommandReply) => Promise<void>;
  logger: Logger;
}

/**
 * Triggered mode's intake side: the request queue the pipelines serve, the local request topic and the
 * `infer` command. Every request is answered exactly once where it came from: by its result on the inference
 * topics, or by an error (local requests on the local results topic, `infer` on the command output topic).
 */
export class OnDemandInference {
  readonly requests: InferenceRequests;
  private readonly intake: LocalRequestIntake | undefined;
  /** The mode in effect before the latest configuration change. */
  private mode: InferenceMode | undefined;

  constructor(private readonly options: OnDemandInferenceOptions) {
    const settings = options.settings;
    this.mode = settings().inference_mode;
    this.requests = new InferenceRequests({
      mode: () => settings().inference_mode ?? 'continuous',
      limit: () => settings().inference_queue_limit ?? 8,
      fail: (request, code, message) => this.answerFailure(request, code, message),
    });
    const { runtime } = options;
    this.intake = runtime
      ? new LocalRequestIntake(runtime, this.requests, (r, c, m) => this.answerFailure(r, c, m), options.logger)
      : undefined;
  }

  /** `{"cmd":"infer","id":"..."}`: queues a request whose result carries the command's id as `request_id`. */
  readonly inferVerb: VerbHandler = (value, command) => {
    if (value !== undefined) throw new CommandError('infer takes no value: send {"cmd":"infer","id":"<request id>"}');
    const submission = this.requests.submit({
      origin: 'command',
      ...(command.id !== undefined ? { id: command.id } : {}),
    });
    if (!submission.queued) throw new CommandError(submission.message, { context: { code: submission.code } });
    return { infer: 'queued', position: submission.position };
  };

  /** Follows the configured request topic (a refused subscription is logged, not fatal: commands still work). */
  async start(): Promise<void> {
    await this.follow();
  }

  /** After a configuration change: follow a new request topic; leaving triggered mode refuses what waits. */
  async configurationChanged(): Promise<void> {
    const previous = this.mode;
    this.mode = this.options.settings().inference_mode;
    if (previous === 'triggered' && this.mode !== 'triggered') {
      this.requests.failPending('NOT_TRIGGERED', 'inference_mode changed to continuous before this request was served');
    }
    await this.follow();
  }

  async stop(): Promise<void> {
    await this.intake
      ?.stop()
      .catch((err) => this.options.logger.warn('local request subscription did not close cleanly', { err }));
    this.requests.failPending('STOPPED', 'the component stopped before this request was served');
  }

  private async follow(): Promise<void> {
    const topic = inferenceRequestTopic(this.options.settings().inference_request_topic, this.options.topics);
    try {
      await this.intake?.follow(topic);
    } catch (err) {
      this.options.logger.error('cannot accept local inference requests', { topic, err });
    }
  }

  private answerFailure(request: InferenceRequest, code: RequestFailure, message: string): void {
    const { runtime, logger } = this.options;
    logger.warn('inference request answered with an error', {
      code,
      message,
      request_id: request.id,
      origin: request.origin,
    });
    const localTopic = request.origin === 'local' ? this.options.localResultsTopic() : undefined;
    const requestId = request.id !== undefined ? { request_id: request.id } : {};
    if (runtime && localTopic) {
      void runtime
        .publishToTopic(localTopic, { error: message, code, ...requestId, ts: Date.now() })
        .catch((err) => logger.error('could not answer a local inference request', { topic: localTopic, err }));
      return;
    }
    const echo =
      request.origin === 'command'
        ? { cmd: 'infer', ...(request.id !== undefined ? { id: request.id } : {}) }
        : { source: 'local', ...requestId };
    void this.options
      .reply({ result: { error: message, code, ...echo } })
      .catch((err) => logger.error('could not answer an inference request', { err }));
  }
}
