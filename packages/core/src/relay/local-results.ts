import type { GreengrassRuntime } from '../greengrass/greengrass-runtime';
import type { DeviceTopics } from '../identity/topics';
import type { Logger } from '../logging/logger';
import { RepeatedErrorLog, type FaultStatus } from '../logging/repeated-error-log';
import type { InferencePayload } from '../results/encode-inference-payload';

/** The local pub/sub topic of `local_results_topic`: `auto` is the device's inference topic, `off` none. */
export function localResultsTopic(setting: string | undefined, topics: DeviceTopics): string | undefined {
  if (setting === undefined || setting === 'off') return undefined;
  return setting === 'auto' ? topics.inferenceOutput : setting;
}

const SUBJECT = 'local results publish';

/**
 * Publishes each result on Greengrass local pub/sub so an actuation component on the device can react
 * without a cloud round trip. Failures (e.g. a topic outside the recipe's pubsub policy) are never thrown, so
 * the cloud publish goes on regardless; they are logged the first time, then summarised once a minute with a
 * count, and once more when publishing works again: one failure per inference must not flood the log.
 * `failing()` is the fault for a status answer while there is one.
 */
export function localResultsPublisher(
  runtime: GreengrassRuntime,
  topic: () => string | undefined,
  logger: Logger,
): { publish: (payload: InferencePayload) => Promise<void>; failing: () => FaultStatus | undefined } {
  const failures = new RepeatedErrorLog({ logger });
  return {
    publish: async (payload) => {
      const target = topic();
      if (!target) return;
      try {
        await runtime.publishToTopic(target, payload);
        failures.succeeded(SUBJECT);
      } catch (error) {
        failures.failed(SUBJECT, error, { topic: target });
      }
    },
    failing: () => (failures.failing.length ? failures.status(SUBJECT) : undefined),
  };
}
