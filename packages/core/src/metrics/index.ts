/** @ei-gg/core/metrics: model metrics (SPEC 3). */
export { MetricsAccumulator } from './metrics-accumulator';
