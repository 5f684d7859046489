import { Backoff } from '../../src/backoff';

/** 1-based numbers of the published results among the first `n`. */
function published(backoff: Backoff, n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (backoff.next()) out.push(i);
  return out;
}

describe('Backoff', () => {
  it('N=5 publishes results 1, 6, 11, ...', () => {
    expect(published(new Backoff(5), 16)).toEqual([1, 6, 11, 16]);
  });

  it('N=2 publishes every other result, starting with the first', () => {
    expect(published(new Backoff(2), 7)).toEqual([1, 3, 5, 7]);
  });

  it.each([1, 0, -1, -5])('N=%d publishes every result', (every) => {
    expect(published(new Backoff(every), 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps its rhythm over many results', () => {
    const b = new Backoff(7);
    const hits = published(b, 7000);
    expect(hits).toHaveLength(1000);
    expect(hits.every((n) => n % 7 === 1)).toBe(true);
  });

  it('setEvery restarts the cycle: the next result is published', () => {
    const b = new Backoff(5);
    expect(published(b, 3)).toEqual([1]);
    b.setEvery(3);
    expect(published(b, 7)).toEqual([1, 4, 7]);
    b.setEvery(-1);
    expect(published(b, 3)).toEqual([1, 2, 3]);
  });

  it.each([1.5, NaN, Infinity])('rejects %d', (every) => {
    expect(() => new Backoff(every)).toThrow(RangeError);
    const b = new Backoff(2);
    expect(() => b.setEvery(every)).toThrow(RangeError);
    expect(published(b, 3)).toEqual([1, 3]);
  });
});
