import { FileCacheError } from '../../src/errors';
import { Logger } from '../../src/logging/logger';
import { errorCode, RepeatedErrorLog, type FaultChange } from '../../src/logging/repeated-error-log';

/** A logger writing into an array, and a clock the test moves. */
function harness(options: { intervalMs?: number; settleMs?: number } = {}) {
  const raw: string[] = [];
  let now = Date.UTC(2025, 0, 1);
  const changes: FaultChange[] = [];
  const faults = new RepeatedErrorLog({
    logger: new Logger({ sink: { write: (line: string) => raw.push(line) } }),
    clock: () => now,
    onChange: (change) => changes.push(change),
    ...options,
  });
  return {
    faults,
    changes,
    lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>),
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

const enospc = (file: string) =>
  Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC' });

describe('RepeatedErrorLog', () => {
  it('logs the first failure in full, then one summary with the count per interval, keyed by code not message', () => {
    const h = harness();
    for (let i = 0; i < 340; i++) {
      h.faults.failed('file cache write', enospc(`/cache/${i}.json`), { directory: '/cache' });
      h.advance(25); // 340 failures in 8.5 s, as observed on a full disk
    }
    expect(h.lines()).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'file cache write failed',
        fault: 'file cache write',
        code: 'ENOSPC',
        directory: '/cache',
        err: { name: 'Error', message: "ENOSPC: no space left on device, write '/cache/0.json'" },
      }),
    ]);

    // The fault goes on for five more minutes, one failure a second: one summary a minute, with its count.
    for (let i = 0; i < 300; i++) {
      h.advance(1000);
      h.faults.failed('file cache write', enospc(`/cache/x${i}.json`));
    }
    const summaries = h.lines().slice(1);
    expect(summaries.map((l) => [l.msg, l.code])).toEqual(Array(5).fill(['file cache write still failing', 'ENOSPC']));
    // The first summary counts the 339 of the first 8.5 s and 52 more; the 8 failures after the last are pending.
    expect(summaries.map((l) => l.repeated)).toEqual([391, 60, 60, 60, 60]);
    expect(h.changes.map((c) => c.state)).toEqual(['failing']);
  });

  it('says how many failures no line counted when it recovers, and reports the start and the clear once each', () => {
    const h = harness({ settleMs: 0 });
    for (let i = 0; i < 10; i++) h.faults.failed('S3 cache store', enospc(`/spool/${i}`));
    h.advance(5000);
    h.faults.succeeded('S3 cache store');
    h.faults.succeeded('S3 cache store'); // already recovered: nothing more
    const [first, recovered] = h.lines();
    expect(first.msg).toBe('S3 cache store failed');
    expect(recovered).toMatchObject({
      level: 'info',
      msg: 'S3 cache store recovered',
      failures: 10,
      failures_since_last_line: 9,
      duration_s: 5,
    });
    expect(h.lines()).toHaveLength(2);
    const since = h.now() - 5000;
    expect(h.changes).toEqual([
      {
        subject: 'S3 cache store',
        state: 'failing',
        code: 'ENOSPC',
        error: expect.any(String),
        since,
        failures: 1,
        at: since,
      },
      {
        subject: 'S3 cache store',
        state: 'ok',
        code: 'ENOSPC',
        error: expect.any(String),
        since,
        failures: 10,
        at: h.now(),
      },
    ]);
    expect(h.faults.status('S3 cache store')).toEqual({ state: 'ok' });
  });

  it('logs a new kind of error of the same fault once, without a second start report', () => {
    const h = harness();
    h.faults.failed('file cache write', enospc('/a'));
    h.faults.failed('file cache write', Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    h.faults.failed('file cache write', Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    expect(h.lines().map((l) => [l.msg, l.code])).toEqual([
      ['file cache write failed', 'ENOSPC'],
      ['file cache write failed', 'EIO'],
    ]);
    expect(h.changes).toHaveLength(1);
    expect(h.faults.status('file cache write')).toMatchObject({ state: 'failing', code: 'EIO', failures: 3 });
  });

  it('keeps an operation that fails now and then as one fault until it has settled', () => {
    const h = harness({ settleMs: 10_000 });
    // A nearly full disk: small writes pass, large ones fail, for a minute.
    for (let i = 0; i < 60; i++) {
      h.advance(1000);
      if (i % 2) h.faults.succeeded('file cache write');
      else h.faults.failed('file cache write', enospc(`/c/${i}`));
    }
    expect(h.changes.map((c) => c.state)).toEqual(['failing']);
    h.advance(10_000); // then the disk has room again
    h.faults.succeeded('file cache write');
    expect(h.changes.map((c) => c.state)).toEqual(['failing', 'ok']);
    expect(h.lines().map((l) => l.msg)).toEqual(['file cache write failed', 'file cache write recovered']);
  });

  describe('with no further attempt (rare inferences): the settle timer', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('recovers once settled', () => {
      const h = harness({ settleMs: 10_000 });
      h.faults.failed('file cache write', enospc('/c/1'));
      h.faults.succeeded('file cache write'); // too soon to call it recovered: waits out the settle time
      expect(h.faults.status('file cache write').state).toBe('failing');
      jest.advanceTimersByTime(10_000);
      expect(h.changes.map((c) => c.state)).toEqual(['failing', 'ok']);
      expect(h.faults.status('file cache write').state).toBe('ok');
    });

    it('is cancelled by a failure, and close() stops it and counts what no line counted', () => {
      const h = harness({ settleMs: 10_000 });
      h.faults.failed('x', enospc('/1'));
      h.faults.succeeded('x');
      h.faults.failed('x', enospc('/2'));
      jest.advanceTimersByTime(60_000);
      expect(h.changes.map((c) => c.state)).toEqual(['failing']);
      h.faults.succeeded('x');
      h.faults.close();
      jest.advanceTimersByTime(60_000);
      expect(h.changes.map((c) => c.state)).toEqual(['failing']);
      expect(h.lines().map((l) => [l.msg, l.repeated])).toEqual([
        ['x failed', undefined],
        ['x still failing', 1],
      ]);
    });

    it.each([
      ['back', -3_600_000],
      ['forward', 3_600_000],
    ])(
      'measures settle time, summaries and durations on the monotonic clock when the wall clock jumps %s',
      (_, jumpMs) => {
        const raw: string[] = [];
        const changes: FaultChange[] = [];
        const faults = new RepeatedErrorLog({
          logger: new Logger({ sink: { write: (line: string) => raw.push(line) } }),
          intervalMs: 60_000,
          settleMs: 10_000,
          onChange: (change) => changes.push(change),
        });
        const failedAt = Date.now();
        faults.failed('x', enospc('/1'));
        jest.setSystemTime(Date.now() + jumpMs); // Date.now() alone moves, as when NTP corrects the clock
        faults.failed('x', enospc('/2')); // an hour "later" or "earlier": no summary is due yet
        faults.succeeded('x'); // too soon: settles in 10 s, not an hour off
        expect(faults.status('x')).toMatchObject({ state: 'failing', since: failedAt });
        jest.advanceTimersByTime(10_000);
        expect(changes.map((c) => c.state)).toEqual(['failing', 'ok']);
        const lines = raw.map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines.map((l) => l.msg)).toEqual(['x failed', 'x recovered']);
        expect(lines[1]).toMatchObject({ duration_s: 10, failures: 2 });
      },
    );
  });

  it('keeps subjects apart', () => {
    const h = harness({ settleMs: 0 });
    h.faults.failed('file cache write', enospc('/a'));
    h.faults.failed('S3 cache store', enospc('/b'));
    h.faults.succeeded('file cache write');
    expect(h.faults.failing).toEqual(['S3 cache store']);
    expect(h.changes.map((c) => [c.subject, c.state])).toEqual([
      ['file cache write', 'failing'],
      ['S3 cache store', 'failing'],
      ['file cache write', 'ok'],
    ]);
  });

  it('a listener that throws does not break the caller', () => {
    const raw: string[] = [];
    const faults = new RepeatedErrorLog({
      logger: new Logger({ sink: { write: (l: string) => raw.push(l) } }),
      onChange: () => {
        throw new Error('listener bug');
      },
    });
    expect(() => faults.failed('x', new Error('boom'))).not.toThrow();
    expect(raw.some((l) => l.includes('fault change listener failed'))).toBe(true);
  });
});

describe('errorCode', () => {
  it('is the codes along the cause chain, else the name', () => {
    expect(errorCode(enospc('/a'))).toBe('ENOSPC');
    const wrapped = new FileCacheError('CACHE_WRITE_FAILED', 'writing x failed', { cause: enospc('/a') });
    expect(errorCode(wrapped)).toBe('CACHE_WRITE_FAILED/ENOSPC');
    expect(errorCode(new TypeError('x'))).toBe('TypeError');
    expect(errorCode('text')).toBe('UNKNOWN');
  });
});
