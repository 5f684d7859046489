import { RunningStats } from './running-stats';

export type ConfidenceTrendDirection = 'INCREASING' | 'FLAT' | 'DECREASING';

/**
 * `confidence_trend` of the metrics message, defined over metrics periods (the time between two metrics
 * messages): the mean confidence of the period just ended is compared with the mean of the last earlier period
 * that had samples. A difference within `tolerance` is FLAT, and so is a period without samples or one with
 * nothing to compare to (the first period, the first after a reset). The original compared the running mean
 * before and after the very last sample, which says nothing about a trend.
 */
export class ConfidenceTrend {
  private period = new RunningStats();
  private previousMean: number | undefined;

  constructor(private readonly tolerance: number) {
    if (!(tolerance >= 0)) throw new RangeError(`trend tolerance must be >= 0 (got ${tolerance})`);
  }

  add(confidence: number): void {
    this.period.add(confidence);
  }

  /** Ends the current period and returns its trend. */
  closePeriod(): ConfidenceTrendDirection {
    if (this.period.count === 0) return 'FLAT';
    const mean = this.period.mean;
    const previous = this.previousMean;
    this.previousMean = mean;
    this.period = new RunningStats();
    if (previous === undefined || Math.abs(mean - previous) <= this.tolerance) return 'FLAT';
    return mean > previous ? 'INCREASING' : 'DECREASING';
  }
}
