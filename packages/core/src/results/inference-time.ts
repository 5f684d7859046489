import { InferenceTiming } from './inference-result';

/**
 * Whole milliseconds the model spent on one inference (DSP + classification + anomaly + post-processing), at
 * least 1: the payload's `time_ms` and the latency the metrics report.
 */
export function inferenceTimeMs(timing: InferenceTiming): number {
  const total = timing.dspMs + timing.classificationMs + timing.anomalyMs + (timing.postprocessingMs ?? 0);
  return Math.max(1, Math.round(total));
}
