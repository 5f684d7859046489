/** @ei-gg/core/results: the normalised result, its payload (SPEC 3), the threshold filter and `iotcore_backoff`. */
export type { BoundingBox, InferenceResult, InferenceTiming, TrackedObject } from './inference-result';
export { encodeInferencePayload, isEmptyResult, type InferencePayload } from './encode-inference-payload';
export { ThresholdFilter } from '../threshold-filter';
export { Backoff } from '../backoff';
