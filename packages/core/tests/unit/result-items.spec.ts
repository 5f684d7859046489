import { InferenceResult } from '../../src/results/inference-result';
import { confidenceSamples, detections, topLabel } from '../../src/results/result-items';

const timing = { dspMs: 0, classificationMs: 1, anomalyMs: 0 };
const box = (label: string, value: number) => ({ label, value, x: 0, y: 0, width: 1, height: 1 });

describe('topLabel', () => {
  it('the highest score; the first label on a tie', () => {
    expect(topLabel({ a: 0.2, b: 0.5, c: 0.3 })).toEqual({ label: 'b', value: 0.5 });
    expect(topLabel({ a: 0.5, b: 0.5 })).toEqual({ label: 'a', value: 0.5 });
  });

  it('negative scores (regression) and none at all', () => {
    expect(topLabel({ value: -42 })).toEqual({ label: 'value', value: -42 });
    expect(topLabel({})).toBeUndefined();
    expect(topLabel(undefined)).toBeUndefined();
  });
});

describe('detections', () => {
  it('the tracked objects when present (even none), else the boxes', () => {
    const tracked = [{ ...box('t', 0.5), objectId: 1 }];
    expect(detections({ boxes: [box('b', 1)], tracking: tracked, timing })).toBe(tracked);
    expect(detections({ boxes: [box('b', 1)], tracking: [], timing })).toEqual([]);
    expect(detections({ boxes: [box('b', 1)], timing })).toEqual([box('b', 1)]);
    expect(detections({ timing })).toBeUndefined();
  });
});

describe('confidenceSamples', () => {
  it('top label, then detections, then grid cells; nothing from anomaly or freeform', () => {
    const result: InferenceResult = {
      classification: { x: 0.1, y: 0.9 },
      boxes: [box('raw', 0.3)],
      tracking: [{ ...box('t', 0.4), objectId: 5 }],
      grid: [box('g', 7)],
      anomaly: 3,
      visualAnomalyMax: 7,
      freeform: [[0.5]],
      timing,
    };
    expect(confidenceSamples(result)).toStrictEqual([
      { label: 'y', value: 0.9 },
      { label: 't', value: 0.4 },
      { label: 'g', value: 7 },
    ]);
    expect(confidenceSamples({ anomaly: 1, freeform: [[1]], timing })).toEqual([]);
  });
});
