import type { GreengrassRuntime } from '../greengrass/greengrass-runtime';
import type { DeviceTopics } from '../identity/topics';
import type { Logger } from '../logging/logger';
import type { InferencePayload } from '../results/encode-inference-payload';

/** The local pub/sub topic of `local_results_topic`: `auto` is the device's inference topic, `off` none. */
export function localResultsTopic(setting: string | undefined, topics: DeviceTopics): string | undefined {
  if (setting === undefined || setting === 'off') return undefined;
  return setting === 'auto' ? topics.inferenceOutput : setting;
}

/**
 * Publishes each result on Greengrass local pub/sub so an actuation component on the device can react
 * without a cloud round trip. Failures (e.g. a topic outside the recipe's pubsub policy) are logged once
 * per distinct message, never thrown: the cloud publish goes on regardless.
 */
export function localResultsPublisher(runtime: GreengrassRuntime, topic: () => string | undefined, logger: Logger) {
  let lastError: string | undefined;
  return async (payload: InferencePayload): Promise<void> => {
    const target = topic();
    if (!target) return;
    try {
      await runtime.publishToTopic(target, payload);
      lastError = undefined;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== lastError) logger.error('local results publish failed', { topic: target, err: error });
      lastError = message;
    }
  };
}
