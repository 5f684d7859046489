import { EiGgError, ThresholdFilterError } from '../../src/errors';
import { InferenceResult } from '../../src/results/inference-result';
import {
  compare,
  THRESHOLD_CRITERIA,
  ThresholdCriteria,
  ThresholdFilter,
  ThresholdFilterConfig,
} from '../../src/threshold-filter';

const timing = { dspMs: 1, classificationMs: 2, anomalyMs: 0 };
const box = (value: number, label = 'x') => ({ label, value, x: 0, y: 0, width: 1, height: 1 });
const filter = (criteria: ThresholdCriteria, threshold = 0.7, enabled = true) =>
  new ThresholdFilter({ enabled, threshold, criteria });

/** Freezes a value and everything in it, so any mutation throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

// Expected outcome per position around the threshold, for each criterion.
const POSITIONS = {
  'just below': { delta: -1e-6, gt: false, ge: false, eq: false, le: true, lt: true },
  equal: { delta: 0, gt: false, ge: true, eq: true, le: true, lt: false },
  'just above': { delta: 1e-6, gt: true, ge: true, eq: false, le: false, lt: false },
} as const;
const grid = Object.entries(POSITIONS).flatMap(([position, p]) =>
  THRESHOLD_CRITERIA.map((criteria) => [position, criteria, p.delta, p[criteria]] as const),
);

describe('compare', () => {
  it.each(grid)('%s the threshold, %s', (_position, criteria, delta, expected) => {
    for (const threshold of [0.7, 0.5, 1, 0.001]) {
      expect(compare(threshold + delta, criteria, threshold)).toBe(expected);
    }
  });

  it('treats values within 1e-9 of the threshold as equal, for every criterion', () => {
    const t = 0.7;
    const computed = 0.1 * 7; // 0.7000000000000001
    expect(computed).not.toBe(t);
    for (const v of [computed, t + 9e-10, t - 9e-10]) {
      expect({
        gt: compare(v, 'gt', t),
        ge: compare(v, 'ge', t),
        eq: compare(v, 'eq', t),
        le: compare(v, 'le', t),
        lt: compare(v, 'lt', t),
      }).toEqual({ gt: false, ge: true, eq: true, le: true, lt: false });
    }
    expect(compare(t + 2e-9, 'eq', t)).toBe(false);
    expect(compare(t + 2e-9, 'gt', t)).toBe(true);
    expect(compare(t - 2e-9, 'lt', t)).toBe(true);
  });
});

describe('ThresholdFilter.apply', () => {
  describe('classification: the top score decides for the whole result', () => {
    it.each(grid)('top score %s the threshold, %s', (_position, criteria, delta, expected) => {
      const result = deepFreeze<InferenceResult>({
        classification: { other: 0.05, top: 0.7 + delta, third: 0.01 },
        timing,
      });
      expect(filter(criteria).apply(result)).toStrictEqual(expected ? result : undefined);
    });

    it('regression: the value is the score', () => {
      expect(filter('ge').apply({ classification: { value: 0.75 }, timing })).toBeDefined();
      expect(filter('ge').apply({ classification: { value: 0.65 }, timing })).toBeUndefined();
    });

    it('a passing classification keeps its anomaly score; a failing one drops the whole result', () => {
      const pass: InferenceResult = { classification: { a: 0.9, b: 0.1 }, anomaly: 0.3, info: 'i', timing };
      expect(filter('ge').apply(pass)).toStrictEqual(pass);
      expect(filter('ge').apply({ classification: { a: 0.6, b: 0.4 }, anomaly: 0.3, timing })).toBeUndefined();
    });
  });

  const itemKinds = [
    ['boxes', (value: number): InferenceResult => ({ boxes: [box(value)], timing })],
    ['tracked objects', (value: number): InferenceResult => ({ tracking: [{ ...box(value), objectId: 3 }], timing })],
    ['grid cells', (value: number): InferenceResult => ({ grid: [box(value)], timing })],
  ] as const;

  describe.each(itemKinds)('%s: each item on its own', (_kind, make) => {
    it.each(grid)('item %s the threshold, %s', (_position, criteria, delta, expected) => {
      const result = deepFreeze(make(0.7 + delta));
      expect(filter(criteria).apply(result)).toStrictEqual(expected ? result : undefined);
    });
  });

  it('keeps only passing boxes, in their order', () => {
    const result = deepFreeze<InferenceResult>({
      boxes: [box(0.2, 'a'), box(0.7, 'b'), box(0.95, 'c'), box(0.69, 'd')],
      timing,
    });
    const labels = (c: ThresholdCriteria) =>
      filter(c)
        .apply(result)
        ?.boxes?.map((b) => b.label);
    expect(labels('ge')).toEqual(['b', 'c']);
    expect(labels('gt')).toEqual(['c']);
    expect(labels('eq')).toEqual(['b']);
    expect(labels('le')).toEqual(['a', 'b', 'd']);
    expect(labels('lt')).toEqual(['a', 'd']);
  });

  it('compares each score, never averages neighbours (the original did, pairwise)', () => {
    // Pairwise averaging of 0.6 and 0.8 gives exactly 0.7: the original published both boxes under `ge 0.7`.
    expect(filter('ge').apply({ boxes: [box(0.6, 'a'), box(0.8, 'b')], timing })?.boxes).toEqual([box(0.8, 'b')]);
    // ...and dropped these two, averaging to 0.65, although one is 0.9.
    expect(filter('ge').apply({ boxes: [box(0.4, 'a'), box(0.9, 'b')], timing })?.boxes).toEqual([box(0.9, 'b')]);
  });

  it('visual anomaly: passing grid cells kept with the anomaly, max and mean; no passing cell drops the result', () => {
    const result = deepFreeze<InferenceResult>({
      grid: [box(7.5, 'anomaly'), box(0.5, 'anomaly')],
      anomaly: 7.5,
      visualAnomalyMax: 7.5,
      visualAnomalyMean: 1.25,
      timing,
    });
    expect(filter('gt', 1).apply(result)).toStrictEqual({ ...result, grid: [box(7.5, 'anomaly')] });
    expect(filter('lt', 0.1).apply(result)).toBeUndefined();
  });

  it('tracking: both the boxes and the tracked objects are filtered; the tracked objects decide', () => {
    const tracked = { ...box(0.9, 't'), objectId: 4 };
    const result = deepFreeze<InferenceResult>({
      boxes: [box(0.9, 'b'), box(0.1, 'c')],
      tracking: [tracked, { ...box(0.2), objectId: 5 }],
      timing,
    });
    expect(filter('ge').apply(result)).toStrictEqual({ boxes: [box(0.9, 'b')], tracking: [tracked], timing });
    // Boxes pass but no tracked object does (e.g. tracks not yet confirmed): nothing to publish.
    expect(filter('ge').apply({ boxes: [box(0.9)], tracking: [{ ...box(0.2), objectId: 1 }], timing })).toBeUndefined();
  });

  it('several scored parts: passes when any part passes, a failing classification is removed', () => {
    const result = deepFreeze<InferenceResult>({
      classification: { a: 0.5 },
      boxes: [box(0.8), box(0.3)],
      anomaly: 1,
      timing,
    });
    expect(filter('ge').apply(result)).toStrictEqual({ boxes: [box(0.8)], anomaly: 1, timing });
    expect(filter('ge').apply({ ...result, classification: { a: 0.9 } })).toStrictEqual({
      classification: { a: 0.9 },
      boxes: [box(0.8)],
      anomaly: 1,
      timing,
    });
    expect(filter('ge').apply({ ...result, boxes: [box(0.1)] })).toBeUndefined();
    expect(filter('ge').apply({ classification: { a: 0.9 }, grid: [box(0.1)], timing })).toStrictEqual({
      classification: { a: 0.9 },
      grid: [],
      timing,
    });
  });

  it.each<[string, InferenceResult]>([
    ['anomaly score only', { anomaly: 0.01, timing }],
    ['visual anomaly summary only', { visualAnomalyMax: 0.01, visualAnomalyMean: 0.001, timing }],
    ['freeform only', { freeform: [[0.01]], timing }],
    ['empty box list with an anomaly score', { boxes: [], anomaly: 0.01, timing }],
    ['no labels', { classification: {}, timing }],
  ])('results without any confidence pass unchanged: %s', (_name, result) => {
    for (const criteria of THRESHOLD_CRITERIA) expect(filter(criteria, 1).apply(deepFreeze(result))).toBe(result);
  });

  it('disabled: every result passes unchanged', () => {
    const result = deepFreeze<InferenceResult>({ classification: { a: 0.01 }, boxes: [box(0.01)], timing });
    expect(filter('gt', 1, false).apply(result)).toBe(result);
  });

  it('never mutates the input', () => {
    const result: InferenceResult = {
      classification: { a: 0.5 },
      boxes: [box(0.8), box(0.3)],
      tracking: [{ ...box(0.3), objectId: 1 }],
      grid: [box(0.9), box(0.1)],
      timing,
    };
    const before = structuredClone(result);
    for (const criteria of THRESHOLD_CRITERIA) filter(criteria).apply(deepFreeze(result));
    expect(result).toStrictEqual(before);
  });
});

describe('ThresholdFilter configuration', () => {
  const initial: ThresholdFilterConfig = { enabled: true, threshold: 0.7, criteria: 'ge' };

  it('config is a copy', () => {
    const f = new ThresholdFilter(initial);
    const c = f.config;
    c.threshold = 0.1;
    expect(f.config).toStrictEqual(initial);
  });

  it('keeps only its own settings from what it is given', () => {
    const f = new ThresholdFilter({ ...initial, extra: 1 } as ThresholdFilterConfig);
    expect(f.config).toStrictEqual(initial);
  });

  it('update changes the given settings only and takes effect at once', () => {
    const f = new ThresholdFilter(initial);
    f.update({ threshold: 0.9 });
    expect(f.config).toStrictEqual({ enabled: true, threshold: 0.9, criteria: 'ge' });
    expect(f.apply({ classification: { a: 0.8 }, timing })).toBeUndefined();
    f.update({ criteria: 'lt', enabled: false });
    expect(f.config).toStrictEqual({ enabled: false, threshold: 0.9, criteria: 'lt' });
    f.update({ threshold: undefined, enabled: true });
    expect(f.config).toStrictEqual({ enabled: true, threshold: 0.9, criteria: 'lt' });
    f.update({ threshold: 1 });
    expect(f.config.threshold).toBe(1);
    f.update({ threshold: 1e-9 });
    expect(f.config.threshold).toBe(1e-9);
  });

  it.each<[string, Partial<ThresholdFilterConfig>, string]>([
    ['threshold 0', { threshold: 0 }, 'threshold'],
    ['threshold negative', { threshold: -0.5 }, 'threshold'],
    ['threshold just above 1', { threshold: 1.0000001 }, 'threshold'],
    ['threshold as a percentage', { threshold: 50 }, 'threshold'],
    ['threshold NaN', { threshold: NaN }, 'threshold'],
    ['threshold Infinity', { threshold: Infinity }, 'threshold'],
    ['threshold as a string', { threshold: '0.5' as unknown as number }, 'threshold'],
    ['criteria unknown', { criteria: 'gte' as ThresholdCriteria }, 'criteria'],
    ['criteria in capitals', { criteria: 'GE' as ThresholdCriteria }, 'criteria'],
    ['criteria empty', { criteria: '' as ThresholdCriteria }, 'criteria'],
    ['enabled as a string', { enabled: 'yes' as unknown as boolean }, 'enabled'],
    ['a valid threshold with an invalid criteria', { threshold: 0.2, criteria: 'x' as ThresholdCriteria }, 'criteria'],
  ])('update rejects %s and changes nothing', (_name, partial, field) => {
    const f = new ThresholdFilter(initial);
    let error: unknown;
    try {
      f.update(partial);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ThresholdFilterError);
    expect(error).toBeInstanceOf(EiGgError);
    expect(error).toMatchObject({ code: 'THRESHOLD_FILTER_INVALID', field });
    expect((error as Error).message).toContain(field);
    expect(f.config).toStrictEqual(initial);
  });

  it('the constructor validates too', () => {
    expect(() => new ThresholdFilter({ ...initial, threshold: 0 })).toThrow(ThresholdFilterError);
    expect(() => new ThresholdFilter({ ...initial, criteria: 'ne' as ThresholdCriteria })).toThrow(
      'threshold filter criteria must be one of gt, ge, eq, le, lt (got "ne")',
    );
  });
});
