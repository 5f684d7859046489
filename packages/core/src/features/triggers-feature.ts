import type { ComponentKind } from '../component-kind';
import { localResultsPublisher, localResultsTopic } from '../relay/local-results';
import { INFERENCE_MODES } from '../triggers/inference-mode';
import { OnDemandInference } from '../triggers/on-demand-inference';
import type { FeatureHost, TriggersFeature } from './component-feature';

/** The runners' edge keys: local results, triggered mode and its request topic and queue. */
export interface TriggerFeatureSettings {
  local_results_topic: string;
  inference_mode: string;
  inference_request_topic: string;
  inference_queue_limit: number;
}

/**
 * Triggered inference (the request queue, the local request topic, the `infer` command) and the local pub/sub copy
 * of every result, which is also where local requests are answered. Under Greengrass only for the local parts.
 */
export function triggersFeature<K extends ComponentKind>(
  host: FeatureHost<K>,
  settings: () => TriggerFeatureSettings,
): TriggersFeature {
  const { context } = host;
  const runtime = context.greengrass?.runtime;
  const localTopic = () => localResultsTopic(settings().local_results_topic, context.topics);
  // Validated configuration holds one of them; the schema's type says only string.
  const mode = () => INFERENCE_MODES.find((m) => m === settings().inference_mode) ?? 'continuous';
  const onDemand = new OnDemandInference({
    settings: () => ({ ...settings(), inference_mode: mode() }),
    topics: context.topics,
    ...(runtime ? { runtime } : {}),
    localResultsTopic: localTopic,
    reply: (reply) => host.reply(reply),
    logger: context.logger.child({ part: 'requests' }),
  });
  const local = runtime && localResultsPublisher(runtime, localTopic, context.logger.child({ part: 'local-results' }));
  return {
    requests: onDemand.requests,
    ...(local ? { publishLocal: local.publish } : {}),
    // A new inference_mode restarts the pipeline (it decides how the pipeline takes its input).
    liveKeys: ['local_results_topic', 'inference_request_topic', 'inference_queue_limit'],
    verbs: { infer: onDemand.inferVerb },
    start: () => onDemand.start(),
    stop: () => onDemand.stop(),
    configurationChanged: () => onDemand.configurationChanged(),
    status: () => {
      const localFault = local?.failing();
      return {
        inference_mode: mode(),
        ...(mode() === 'triggered' ? { requests_waiting: onDemand.requests.waiting } : {}),
        // Only while local publishing fails: an actuation component on the device is then getting nothing.
        ...(localFault ? { local_results: localFault } : {}),
      };
    },
    reported: () => ({ inference_mode: mode() }),
  };
}
