/** @ei-gg/core/triggers: on-demand (triggered) inference requests. */
export type { InferenceRequest } from './inference-request';
