/** @ei-gg/core/features: the typed parts a component definition lists (`features(host)`). */
export type { ComponentFeature, ComponentFeatures, FeatureHost } from './component-feature';
export { runnerFeatures } from './runner-features';
export { thresholdFilterFeature } from './threshold-filter-feature';
export { backoffFeature } from './backoff-feature';
export { triggersFeature } from './triggers-feature';
export { lastErrorFeature, type LastError, type LastErrorFeature } from './last-error-feature';
export { shadowFeature } from './shadow-feature';
export { metricsTimerFeature } from './metrics-timer-feature';
export { inferenceOutputFeature, type InferenceOutputOptions } from './inference-output-feature';
