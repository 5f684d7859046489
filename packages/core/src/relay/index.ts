/** @ei-gg/core/relay: the shared path of every result (metrics, filter, backoff, payload, publish). */
export {
  InferenceRelay,
  type InferenceOutput,
  type InferenceRelayOptions,
  type ProcessOutcome,
} from './inference-relay';
