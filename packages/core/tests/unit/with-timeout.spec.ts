import { withTimeout } from '../../src/timing/with-timeout';

describe('withTimeout', () => {
  it('settles like the promise when it settles first', async () => {
    await expect(withTimeout(Promise.resolve(7), 60_000)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('no')), 60_000)).rejects.toThrow('no');
  });

  it('rejects naming what it waited for when the promise does not settle', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 5, 'the board')).rejects.toThrow('timed out after 5 ms waiting for the board');
    await expect(withTimeout(never, 5)).rejects.toThrow(/^timed out after 5 ms$/);
    await expect(withTimeout(never, 5, () => new RangeError('custom'))).rejects.toThrow(RangeError);
  });

  it('leaves no timer behind once the promise has settled', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await withTimeout(Promise.resolve(), 60_000);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
  });
});
