/**
 * Running statistics of a stream of numbers in constant memory. The variance uses Welford's algorithm: the
 * textbook `sumSquares/n - mean^2` cancels catastrophically for confidences close together (e.g. all near 1) and
 * can even go negative. The sums use Neumaier's compensated summation, accurate to the last bits over millions of
 * samples; the mean is the sum over the count, so it is as accurate and agrees with the sum exactly (Welford's
 * running mean drifts slightly on a trending stream). Non-finite values are ignored: one NaN would poison every
 * later statistic.
 */
export class RunningStats {
  private n = 0;
  /** Welford's running mean, for updating M2 only. */
  private runningMean = 0;
  /** Sum of squared deviations from the mean (Welford's M2). */
  private m2 = 0;
  private lowest = Infinity;
  private highest = -Infinity;
  private readonly total = new CompensatedSum();
  private readonly totalSquares = new CompensatedSum();

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    this.n += 1;
    const delta = value - this.runningMean;
    this.runningMean += delta / this.n;
    this.m2 += delta * (value - this.runningMean);
    if (value < this.lowest) this.lowest = value;
    if (value > this.highest) this.highest = value;
    this.total.add(value);
    this.totalSquares.add(value * value);
  }

  get count(): number {
    return this.n;
  }

  /** 0 with no samples. */
  get mean(): number {
    return this.n === 0 ? 0 : this.total.value / this.n;
  }

  /** Population variance; 0 with no samples, never negative. */
  get variance(): number {
    return this.n === 0 ? 0 : Math.max(0, this.m2 / this.n);
  }

  /** Population standard deviation; 0 with no samples. */
  get standardDeviation(): number {
    return Math.sqrt(this.variance);
  }

  /** 0 with no samples. */
  get min(): number {
    return this.n === 0 ? 0 : this.lowest;
  }

  /** 0 with no samples. */
  get max(): number {
    return this.n === 0 ? 0 : this.highest;
  }

  get sum(): number {
    return this.total.value;
  }

  get sumOfSquares(): number {
    return this.totalSquares.value;
  }
}

/** Neumaier's improved Kahan summation: the rounding error of each addition is carried and added back. */
class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const t = this.sum + value;
    this.compensation += Math.abs(this.sum) >= Math.abs(value) ? this.sum - t + value : value - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}
