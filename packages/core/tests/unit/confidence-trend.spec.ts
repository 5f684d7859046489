import { ConfidenceTrend } from '../../src/metrics/confidence-trend';

function period(trend: ConfidenceTrend, values: number[]): string {
  values.forEach((v) => trend.add(v));
  return trend.closePeriod();
}

describe('ConfidenceTrend', () => {
  it('compares the mean of each period with the previous period that had samples', () => {
    const t = new ConfidenceTrend(0.01);
    expect(period(t, [0.7, 0.9])).toBe('FLAT'); // nothing to compare with
    expect(period(t, [0.9])).toBe('INCREASING'); // 0.8 -> 0.9
    expect(period(t, [0.895, 0.895])).toBe('FLAT'); // within the tolerance
    expect(period(t, [])).toBe('FLAT'); // no samples: the reference stays 0.895
    expect(period(t, [0.5])).toBe('DECREASING');
    expect(period(t, [0.5])).toBe('FLAT');
  });

  it('a change of exactly the tolerance is FLAT, just more is not', () => {
    const t = new ConfidenceTrend(0.25);
    period(t, [0.5]);
    expect(period(t, [0.75])).toBe('FLAT');
    expect(period(t, [0.5])).toBe('FLAT');
    expect(period(t, [0.2499])).toBe('DECREASING');
  });

  it('tolerance 0: any change counts', () => {
    const t = new ConfidenceTrend(0);
    period(t, [0.5]);
    expect(period(t, [0.5000001])).toBe('INCREASING');
    expect(period(t, [0.5000001])).toBe('FLAT');
  });

  it.each([-0.1, NaN])('rejects tolerance %d', (tolerance) => {
    expect(() => new ConfidenceTrend(tolerance)).toThrow(RangeError);
  });
});
