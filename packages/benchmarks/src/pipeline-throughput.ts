import {
  Backoff,
  InferenceRelay,
  Logger,
  MetricsAccumulator,
  Publisher,
  ThresholdFilter,
  deviceTopics,
  encodeInferencePayload,
  type InferenceResult,
} from '@ei-gg/core';
import { NullTransport } from './null-transport';
import { nowMs, round } from './statistics';

function sampleResults(count: number): InferenceResult[] {
  return Array.from({ length: count }, (_, i) => {
    const a = ((i * 7919) % 1000) / 1000;
    return {
      classification: { idle: a, wave: 1 - a, snake: 0 },
      anomaly: a - 0.5,
      timing: { dspMs: 4, classificationMs: 2, anomalyMs: 1 },
    };
  });
}

/**
 * Core pipeline (metrics + filter + backoff + payload + publish to a transport that does nothing), results/s
 * on one core, against a bare loop that only encodes the same payloads: the ratio is what the pipeline's
 * bookkeeping costs on top of the unavoidable JSON work.
 */
export async function pipelineThroughput(
  count: number,
): Promise<{ results_per_s: number; baseline_encode_per_s: number; ratio_to_encode_only: number }> {
  const results = sampleResults(1000);
  const transport = new NullTransport();
  const publisher = new Publisher({ transport, logger: new Logger({ level: 'silent' }), qos: () => 1 });
  const pipeline = new InferenceRelay({
    publisher,
    topics: deviceTopics('bench'),
    filter: new ThresholdFilter({ enabled: true, threshold: 0.2, criteria: 'ge' }),
    metrics: new MetricsAccumulator(),
    backoff: new Backoff(1),
  });
  let start = nowMs();
  for (let i = 0; i < count; i++) await pipeline.process(results[i % results.length]);
  await publisher.flush(10_000);
  const pipelineMs = nowMs() - start;

  start = nowMs();
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const payload = encodeInferencePayload(results[i % results.length], { id: 'x', ts: i, totalInferences: i });
    bytes += JSON.stringify(payload).length;
  }
  const baselineMs = nowMs() - start;
  if (bytes === 0) throw new Error('baseline encoded nothing');
  const resultsPerS = (count / pipelineMs) * 1000;
  const baselinePerS = (count / baselineMs) * 1000;
  return {
    results_per_s: round(resultsPerS, 0),
    baseline_encode_per_s: round(baselinePerS, 0),
    ratio_to_encode_only: round(resultsPerS / baselinePerS),
  };
}
