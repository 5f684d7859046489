import { InferenceResult } from '../results/inference-result';
import { inferenceTimeMs } from '../results/inference-time';
import { confidenceSamples } from '../results/result-items';
import { ConfidenceTrend, ConfidenceTrendDirection } from './confidence-trend';
import { RunningStats } from './running-stats';
import { SlidingWindow } from './sliding-window';

/**
 * Model metrics (SPEC section 3): what the model sees, accumulated between resets (`reset_metrics`, restart) and
 * published periodically as the metrics message.
 *
 * Confidence samples are taken from every result BEFORE the threshold filter and the back-off, one per
 * confidence (see `confidenceSamples`: a classification's top label, each detected object, each grid cell).
 * The original fields keep their meaning: `mean_confidence` and population `standard_deviation` of all samples
 * since the reset, `details` their count and sums. The rest is additional: per-label statistics (by the label of
 * each sample), latency percentiles and the share of low confidences over a sliding window of recent values,
 * inferences per second since the reset, counters, uptime since the accumulator was created.
 */

export interface MetricsAccumulatorOptions {
  /**
   * Milliseconds on a monotonic clock (rates and uptime are durations: the wall clock jumps when NTP corrects
   * it); injected for tests.
   */
  clock?: () => number;
  /** Recent inference latencies kept for percentiles (default 1000). */
  latencyWindow?: number;
  /** Recent confidence samples kept for `low_confidence_share` (default 1000). */
  sampleWindow?: number;
  /** Mean confidence change between metrics periods below which the trend is FLAT (default 0.01). */
  trendTolerance?: number;
}

export interface LabelStats {
  count: number;
  mean: number;
  min: number;
  max: number;
}

/** A type alias, not an interface, so it is assignable to `Record<string, unknown>` (what publishers take). */
export type MetricsPayload = {
  mean_confidence: number;
  standard_deviation: number;
  confidence_trend: ConfidenceTrendDirection;
  details: { n: number; sum_confidences: number; sum_confidences_squared: number };
  ts: number;
  id: string;
  labels: Record<string, LabelStats>;
  latency_ms: { p50: number; p95: number; p99: number };
  inferences_per_s: number;
  counts: { seen: number; filtered: number; published: number; failed: number };
  uptime_s: number;
  /** Only when a threshold is given: share of the recent samples below it. */
  low_confidence_share?: number;
};

interface State {
  resetAt: number;
  confidences: RunningStats;
  labels: Map<string, RunningStats>;
  latencies: SlidingWindow;
  recentConfidences: SlidingWindow;
  trend: ConfidenceTrend;
  counts: MetricsPayload['counts'];
}

export class MetricsAccumulator {
  private readonly clock: () => number;
  private readonly createdAt: number;
  private readonly options: Required<Omit<MetricsAccumulatorOptions, 'clock'>>;
  private state: State;

  constructor(options: MetricsAccumulatorOptions = {}) {
    this.clock = options.clock ?? (() => performance.now());
    this.options = {
      latencyWindow: options.latencyWindow ?? 1000,
      sampleWindow: options.sampleWindow ?? 1000,
      trendTolerance: options.trendTolerance ?? 0.01,
    };
    this.createdAt = this.clock();
    this.state = this.freshState();
  }

  /** Every result the model produced, before the threshold filter and back-off. */
  recordResult(result: InferenceResult): void {
    const s = this.state;
    s.counts.seen += 1;
    s.latencies.add(inferenceTimeMs(result.timing));
    for (const { label, value } of confidenceSamples(result)) {
      s.confidences.add(value);
      s.recentConfidences.add(value);
      s.trend.add(value);
      let stats = s.labels.get(label);
      if (!stats) s.labels.set(label, (stats = new RunningStats()));
      stats.add(value);
    }
  }

  /** A result the threshold filter dropped. */
  countFiltered(): void {
    this.state.counts.filtered += 1;
  }

  /** A message published to the inference topic. */
  countPublished(): void {
    this.state.counts.published += 1;
  }

  /** An inference or a publish that failed. */
  countFailed(): void {
    this.state.counts.failed += 1;
  }

  reset(): void {
    this.state = this.freshState();
  }

  /** Counters since the last reset and seconds since creation, without closing a trend period. */
  get health(): { counts: MetricsPayload['counts']; uptime_s: number } {
    return { counts: { ...this.state.counts }, uptime_s: Math.max(0, (this.clock() - this.createdAt) / 1000) };
  }

  /**
   * The metrics message. Ends the current trend period (see {@link ConfidenceTrend}), so call it once per
   * message. `threshold`: the filter threshold, to report `low_confidence_share`.
   */
  toPayload(ctx: { id: string; ts: number; threshold?: number }): MetricsPayload {
    const s = this.state;
    const now = this.clock();
    const sinceResetS = (now - s.resetAt) / 1000;
    const [p50, p95, p99] = s.latencies.percentiles([50, 95, 99]);
    return {
      mean_confidence: s.confidences.mean,
      standard_deviation: s.confidences.standardDeviation,
      confidence_trend: s.trend.closePeriod(),
      details: {
        n: s.confidences.count,
        sum_confidences: s.confidences.sum,
        sum_confidences_squared: s.confidences.sumOfSquares,
      },
      ts: ctx.ts,
      id: ctx.id,
      labels: Object.fromEntries(
        [...s.labels].map(([label, stats]) => [
          label,
          { count: stats.count, mean: stats.mean, min: stats.min, max: stats.max },
        ]),
      ),
      latency_ms: { p50, p95, p99 },
      inferences_per_s: sinceResetS > 0 ? s.counts.seen / sinceResetS : 0,
      counts: { ...s.counts },
      uptime_s: Math.max(0, (now - this.createdAt) / 1000),
      ...(ctx.threshold !== undefined ? { low_confidence_share: s.recentConfidences.shareBelow(ctx.threshold) } : {}),
    };
  }

  private freshState(): State {
    return {
      resetAt: this.clock(),
      confidences: new RunningStats(),
      labels: new Map(),
      latencies: new SlidingWindow(this.options.latencyWindow),
      recentConfidences: new SlidingWindow(this.options.sampleWindow),
      trend: new ConfidenceTrend(this.options.trendTolerance),
      counts: { seen: 0, filtered: 0, published: 0, failed: 0 },
    };
  }
}
