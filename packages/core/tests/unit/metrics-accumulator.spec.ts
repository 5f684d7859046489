import { InferenceResult } from '../../src/results/inference-result';
import { MetricsAccumulator, MetricsPayload } from '../../src/metrics/metrics-accumulator';

const timing = { dspMs: 1, classificationMs: 2, anomalyMs: 0 };
const box = (label: string, value: number) => ({ label, value, x: 0, y: 0, width: 1, height: 1 });
const ids = { id: 'b7e0c6a2-3c1d-4f8e-9a2b-5d4c3b2a1f00', ts: 1767225600000 };

function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** Exact reference over the doubles actually recorded: every value is an integer multiple of 2^-60. */
function exactReference(values: Iterable<number>): {
  mean: number;
  std: number;
  sum: number;
  sumSquares: number;
  n: number;
} {
  const SCALE = 2 ** 60;
  let n = 0n;
  let s = 0n;
  let q = 0n;
  for (const v of values) {
    const scaled = v * SCALE;
    if (!Number.isInteger(scaled)) throw new Error(`${v} is not a multiple of 2^-60`);
    const k = BigInt(scaled);
    n += 1n;
    s += k;
    q += k * k;
  }
  const scale = BigInt(SCALE);
  const toNumber = (num: bigint, den: bigint) => Number((num * 10n ** 40n) / den) / 1e40;
  return {
    n: Number(n),
    mean: toNumber(s, n * scale),
    std: Math.sqrt(toNumber(n * q - s * s, n * n * scale * scale)),
    sum: toNumber(s, scale),
    sumSquares: toNumber(q, scale * scale),
  };
}

describe('MetricsAccumulator', () => {
  it('with nothing recorded: zeros, FLAT, never NaN', () => {
    const clock = manualClock();
    const m = new MetricsAccumulator({ clock: clock.now });
    expect(m.toPayload(ids)).toStrictEqual<MetricsPayload>({
      mean_confidence: 0,
      standard_deviation: 0,
      confidence_trend: 'FLAT',
      details: { n: 0, sum_confidences: 0, sum_confidences_squared: 0 },
      ts: ids.ts,
      id: ids.id,
      labels: {},
      latency_ms: { p50: 0, p95: 0, p99: 0 },
      inferences_per_s: 0,
      counts: { seen: 0, filtered: 0, published: 0, failed: 0 },
      uptime_s: 0,
    });
    expect(m.toPayload({ ...ids, threshold: 0.7 }).low_confidence_share).toBe(0);
  });

  it('the whole message for a few results of every kind', () => {
    const clock = manualClock();
    const m = new MetricsAccumulator({ clock: clock.now });
    m.recordResult({
      classification: { cat: 0.75, dog: 0.25 },
      timing: { dspMs: 1, classificationMs: 3, anomalyMs: 0 },
    });
    m.recordResult({
      boxes: [box('dog', 0.5), box('cat', 1)],
      timing: { dspMs: 2, classificationMs: 5, anomalyMs: 0, postprocessingMs: 1 },
    });
    m.recordResult({ anomaly: 3, timing: { dspMs: 0, classificationMs: 0, anomalyMs: 0 } });
    m.countFiltered();
    m.countPublished();
    m.countPublished();
    m.countFailed();
    clock.advance(2000);
    // Samples: 0.75 (cat, top label), 0.5 (dog), 1 (cat). Mean 0.75, population variance 0.125/3.
    expect(m.toPayload({ ...ids, threshold: 0.7 })).toStrictEqual<MetricsPayload>({
      mean_confidence: 0.75,
      standard_deviation: Math.sqrt(0.125 / 3),
      confidence_trend: 'FLAT',
      details: { n: 3, sum_confidences: 2.25, sum_confidences_squared: 1.8125 },
      ts: ids.ts,
      id: ids.id,
      labels: {
        cat: { count: 2, mean: 0.875, min: 0.75, max: 1 },
        dog: { count: 1, mean: 0.5, min: 0.5, max: 0.5 },
      },
      latency_ms: { p50: 4, p95: 8, p99: 8 },
      inferences_per_s: 1.5,
      counts: { seen: 3, filtered: 1, published: 2, failed: 1 },
      uptime_s: 2,
      low_confidence_share: 1 / 3,
    });
  });

  describe('one sample per confidence', () => {
    const samplesOf = (result: InferenceResult) => {
      const m = new MetricsAccumulator();
      m.recordResult(result);
      const p = m.toPayload(ids);
      return { n: p.details.n, sum: p.details.sum_confidences, labels: p.labels };
    };

    it('classification: the top label only', () => {
      expect(samplesOf({ classification: { a: 0.125, b: 0.625, c: 0.25 }, timing })).toStrictEqual({
        n: 1,
        sum: 0.625,
        labels: { b: { count: 1, mean: 0.625, min: 0.625, max: 0.625 } },
      });
    });

    it('regression: the value', () => {
      expect(samplesOf({ classification: { value: 42.5 }, timing })).toMatchObject({ n: 1, sum: 42.5 });
    });

    it('boxes: each one', () => {
      expect(samplesOf({ boxes: [box('a', 0.5), box('a', 0.25), box('b', 1)], timing })).toMatchObject({
        n: 3,
        sum: 1.75,
      });
    });

    it('tracking: each tracked object, the raw boxes not counted again', () => {
      const result: InferenceResult = {
        boxes: [box('a', 0.5)],
        tracking: [
          { ...box('a', 0.25), objectId: 1 },
          { ...box('b', 0.5), objectId: 2 },
        ],
        timing,
      };
      expect(samplesOf(result)).toMatchObject({ n: 2, sum: 0.75 });
    });

    it('visual anomaly: each grid cell; the summary scores are not confidences', () => {
      expect(
        samplesOf({
          grid: [box('anomaly', 6), box('anomaly', 2)],
          anomaly: 6,
          visualAnomalyMax: 6,
          visualAnomalyMean: 1,
          timing,
        }),
      ).toMatchObject({ n: 2, sum: 8 });
    });

    it('combined: the top label, then every item', () => {
      expect(
        samplesOf({
          classification: { ok: 0.5 },
          boxes: [box('p', 0.25)],
          grid: [box('g', 0.125)],
          anomaly: 9,
          timing,
        }),
      ).toMatchObject({ n: 3, sum: 0.875 });
    });

    it.each<[string, InferenceResult]>([
      ['anomaly only', { anomaly: 0.5, timing }],
      ['freeform only', { freeform: [[0.5]], timing }],
      ['empty', { timing }],
    ])('no sample from %s, but the inference is seen and timed', (_name, result) => {
      const m = new MetricsAccumulator();
      m.recordResult(result);
      const p = m.toPayload(ids);
      expect(p.details.n).toBe(0);
      expect(p.counts.seen).toBe(1);
      expect(p.latency_ms.p50).toBe(3);
    });

    it('a non-finite value from an unchecked source is ignored instead of poisoning the statistics', () => {
      const m = new MetricsAccumulator();
      m.recordResult({ boxes: [box('a', NaN), box('a', 0.5), box('a', Infinity)], timing });
      const p = m.toPayload(ids);
      expect(p.details).toStrictEqual({ n: 1, sum_confidences: 0.5, sum_confidences_squared: 0.25 });
      expect(JSON.stringify(p)).not.toMatch(/null|NaN/);
    });
  });

  it('latency percentiles over a sliding window of the latest inferences', () => {
    const m = new MetricsAccumulator({ latencyWindow: 10 });
    for (let ms = 1; ms <= 25; ms++)
      m.recordResult({ anomaly: 1, timing: { dspMs: 0, classificationMs: ms, anomalyMs: 0 } });
    expect(m.toPayload(ids).latency_ms).toStrictEqual({ p50: 20, p95: 25, p99: 25 });

    const big = new MetricsAccumulator();
    for (let ms = 200; ms >= 1; ms--)
      big.recordResult({ anomaly: 1, timing: { dspMs: ms / 2, classificationMs: ms / 2, anomalyMs: 0 } });
    expect(big.toPayload(ids).latency_ms).toStrictEqual({ p50: 100, p95: 190, p99: 198 });
  });

  it('low_confidence_share: recent samples strictly below the given threshold, only when one is given', () => {
    const m = new MetricsAccumulator({ sampleWindow: 4 });
    m.recordResult({ boxes: [box('a', 0.1), box('a', 0.1)], timing }); // pushed out of the window below
    m.recordResult({ boxes: [box('a', 0.5), box('a', 0.69), box('a', 0.7), box('a', 0.9)], timing });
    expect(m.toPayload(ids)).not.toHaveProperty('low_confidence_share');
    expect(m.toPayload({ ...ids, threshold: 0.7 }).low_confidence_share).toBe(0.5);
    expect(m.toPayload({ ...ids, threshold: 1 }).low_confidence_share).toBe(1);
  });

  it('inferences per second since the last reset; uptime since creation', () => {
    const clock = manualClock();
    const m = new MetricsAccumulator({ clock: clock.now });
    clock.advance(10_000);
    for (let i = 0; i < 30; i++) m.recordResult({ classification: { a: 1 }, timing });
    expect(m.toPayload(ids)).toMatchObject({ inferences_per_s: 3, uptime_s: 10 });
    m.reset();
    clock.advance(2_000);
    for (let i = 0; i < 5; i++) m.recordResult({ classification: { a: 1 }, timing });
    expect(m.toPayload(ids)).toMatchObject({ inferences_per_s: 2.5, uptime_s: 12 });
  });

  it.each([
    ['back', -3_600_000],
    ['forward', 3_600_000],
  ])('rate and uptime ignore the wall clock jumping %s by an hour (NTP): they are durations', (_, jumpMs) => {
    jest.useFakeTimers();
    try {
      const m = new MetricsAccumulator();
      jest.advanceTimersByTime(5_000);
      jest.setSystemTime(Date.now() + jumpMs); // moves Date.now() only, as NTP moves CLOCK_REALTIME
      jest.advanceTimersByTime(5_000);
      for (let i = 0; i < 20; i++) m.recordResult({ classification: { a: 1 }, timing });
      expect(m.toPayload(ids)).toMatchObject({ inferences_per_s: 2, uptime_s: 10 });
    } finally {
      jest.useRealTimers();
    }
  });

  it('reset clears samples, labels, latencies, counters and the trend reference', () => {
    const m = new MetricsAccumulator();
    m.recordResult({ classification: { a: 0.2 }, timing });
    m.toPayload(ids);
    m.recordResult({ classification: { a: 0.9 }, timing });
    m.countFiltered();
    m.countPublished();
    m.countFailed();
    m.reset();
    m.recordResult({ classification: { b: 0.5 }, timing: { dspMs: 0, classificationMs: 7, anomalyMs: 0 } });
    expect(m.toPayload(ids)).toMatchObject({
      mean_confidence: 0.5,
      confidence_trend: 'FLAT',
      details: { n: 1 },
      labels: { b: { count: 1 } },
      latency_ms: { p50: 7, p95: 7, p99: 7 },
      counts: { seen: 1, filtered: 0, published: 0, failed: 0 },
    });
    expect(Object.keys(m.toPayload(ids).labels)).toEqual(['b']);
  });

  it('confidence_trend compares the period since the previous message with the period before', () => {
    const m = new MetricsAccumulator({ trendTolerance: 0.05 });
    const period = (values: number[]) => {
      values.forEach((v) => m.recordResult({ classification: { a: v }, timing }));
      return m.toPayload(ids).confidence_trend;
    };
    expect(period([0.6, 0.7])).toBe('FLAT');
    expect(period([0.8, 0.9])).toBe('INCREASING');
    expect(period([0.84])).toBe('FLAT'); // 0.85 -> 0.84, within 0.05
    expect(period([])).toBe('FLAT');
    expect(period([0.5, 0.6])).toBe('DECREASING');
    // The default tolerance is 0.01.
    const d = new MetricsAccumulator();
    d.recordResult({ classification: { a: 0.5 }, timing });
    d.toPayload(ids);
    d.recordResult({ classification: { a: 0.515 }, timing });
    expect(d.toPayload(ids).confidence_trend).toBe('INCREASING');
  });

  describe('precision over a million samples near 1, against an exact BigInt reference', () => {
    const N = 1_000_000;
    it.each<[string, (k: number) => number]>([
      [
        '1 - 1e-7 * (k mod 1000): tiny spread, where sumSquares/n - mean^2 cancels catastrophically',
        (k) => 1 - 1e-7 * (k % 1000),
      ],
      ['1 - 1e-7 * k: a slow drift from 1 to 0.9', (k) => 1 - 1e-7 * k],
      ['a constant 1 - 1e-7: zero spread', () => 1 - 1e-7],
    ])('%s', (_name, valueAt) => {
      const m = new MetricsAccumulator();
      for (let k = 0; k < N; k++) m.recordResult({ classification: { a: valueAt(k) }, timing });
      const p = m.toPayload(ids);
      const ref = exactReference(Array.from({ length: N }, (_, k) => valueAt(k)));

      expect(p.details.n).toBe(N);
      for (const v of [
        p.mean_confidence,
        p.standard_deviation,
        p.details.sum_confidences,
        p.details.sum_confidences_squared,
      ]) {
        expect(Number.isFinite(v)).toBe(true);
      }
      expect(Math.abs(p.mean_confidence - ref.mean)).toBeLessThan(1e-9);
      expect(Math.abs(p.standard_deviation - ref.std)).toBeLessThan(1e-9);
      expect(Math.abs(p.labels.a.mean - ref.mean)).toBeLessThan(1e-9);
      // The sums are reported as sums: they must agree with n, the mean and the standard deviation.
      expect(Math.abs(p.details.sum_confidences - ref.sum)).toBeLessThan(1e-9);
      expect(Math.abs(p.details.sum_confidences_squared - ref.sumSquares)).toBeLessThan(1e-9);
      expect(Math.abs(p.details.sum_confidences / N - p.mean_confidence)).toBeLessThan(1e-12);
    });
  });
});
