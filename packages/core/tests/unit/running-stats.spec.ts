import { RunningStats } from '../../src/metrics/running-stats';

function statsOf(values: number[]): RunningStats {
  const s = new RunningStats();
  values.forEach((v) => s.add(v));
  return s;
}

describe('RunningStats', () => {
  it('is all zeros with no samples, never NaN', () => {
    const s = new RunningStats();
    expect([s.count, s.mean, s.variance, s.standardDeviation, s.min, s.max, s.sum, s.sumOfSquares]).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });

  it('one sample', () => {
    const s = statsOf([0.25]);
    expect([s.count, s.mean, s.variance, s.standardDeviation, s.min, s.max, s.sum, s.sumOfSquares]).toEqual([
      1, 0.25, 0, 0, 0.25, 0.25, 0.25, 0.0625,
    ]);
  });

  it('population statistics of a small set', () => {
    const s = statsOf([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.count).toBe(8);
    expect(s.mean).toBe(5);
    expect(s.variance).toBe(4);
    expect(s.standardDeviation).toBe(2);
    expect([s.min, s.max, s.sum, s.sumOfSquares]).toEqual([2, 9, 40, 232]);
  });

  it('is exact for identical values: variance 0, never negative', () => {
    const v = 0.1 + 0.2;
    const s = statsOf(Array.from({ length: 10_000 }, () => v));
    expect(s.variance).toBe(0);
    expect(s.standardDeviation).toBe(0);
    expect(s.mean).toBe(v);
  });

  it('stays accurate for values with a large common offset', () => {
    const s = statsOf([4, 7, 13, 16].map((d) => 1e9 + d));
    expect(s.mean).toBe(1e9 + 10);
    expect(Math.abs(s.variance - 22.5)).toBeLessThan(1e-6);
  });

  it('ignores non-finite values', () => {
    const s = statsOf([0.5, NaN, Infinity, -Infinity, 1]);
    expect([s.count, s.mean, s.min, s.max, s.sum]).toEqual([2, 0.75, 0.5, 1, 1.5]);
    expect(Number.isFinite(s.standardDeviation)).toBe(true);
  });

  it('sums with compensation: adding 0.1 a million times gives 100000 to the last bit', () => {
    const s = new RunningStats();
    for (let i = 0; i < 1_000_000; i++) s.add(0.1);
    let naive = 0;
    for (let i = 0; i < 1_000_000; i++) naive += 0.1;
    expect(Math.abs(naive - 100000)).toBeGreaterThan(1e-7); // what plain summation would give
    expect(Math.abs(s.sum - 100000)).toBeLessThan(1e-10);
    expect(Math.abs(s.sumOfSquares - 10000)).toBeLessThan(1e-10);
  });
});
