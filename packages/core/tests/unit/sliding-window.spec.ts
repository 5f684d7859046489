import { SlidingWindow } from '../../src/metrics/sliding-window';

function windowOf(capacity: number, values: number[]): SlidingWindow {
  const w = new SlidingWindow(capacity);
  values.forEach((v) => w.add(v));
  return w;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('SlidingWindow', () => {
  it('empty: percentiles and share are 0', () => {
    const w = new SlidingWindow(3);
    expect(w.size).toBe(0);
    expect(w.percentiles([50, 95, 99])).toEqual([0, 0, 0]);
    expect(w.shareBelow(0.5)).toBe(0);
  });

  it('nearest-rank percentiles, whatever the insertion order', () => {
    const values = range(1, 100).reverse();
    expect(windowOf(1000, values).percentiles([50, 95, 99, 100])).toEqual([50, 95, 99, 100]);
    expect(windowOf(1000, [7]).percentiles([50, 99])).toEqual([7, 7]);
    expect(windowOf(1000, [3, 1, 2, 4]).percentiles([50, 75, 76])).toEqual([2, 3, 4]);
  });

  it('keeps only the last `capacity` values', () => {
    const w = windowOf(10, range(1, 25));
    expect(w.size).toBe(10);
    expect(w.percentiles([10, 50, 100])).toEqual([16, 20, 25]);
    expect(w.shareBelow(18)).toBe(0.2);
  });

  it('share strictly below the threshold', () => {
    const w = windowOf(100, [0.5, 0.69, 0.7, 0.9]);
    expect(w.shareBelow(0.7)).toBe(0.5);
    expect(w.shareBelow(0.5)).toBe(0);
    expect(w.shareBelow(1)).toBe(1);
  });

  it('ignores non-finite values', () => {
    const w = windowOf(3, [1, NaN, Infinity, 2]);
    expect(w.size).toBe(2);
    expect(w.percentiles([100])).toEqual([2]);
  });

  it.each([0, -1, 1.5, NaN])('rejects capacity %d', (capacity) => {
    expect(() => new SlidingWindow(capacity)).toThrow(RangeError);
  });
});
