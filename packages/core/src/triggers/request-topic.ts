import type { DeviceTopics } from '../identity/topics';

/** The local request topic of `inference_request_topic`: `auto` sits beside the inference output topic, `off` none. */
export function inferenceRequestTopic(setting: string | undefined, topics: DeviceTopics): string | undefined {
  if (setting === undefined || setting === 'off') return undefined;
  return setting === 'auto' ? topics.inferenceOutput.replace(/\/output$/, '/request') : setting;
}
