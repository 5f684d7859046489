import {
  encodeInferencePayload,
  InferencePayloadContext,
  isEmptyResult,
} from '../../src/results/encode-inference-payload';
import { InferenceResult } from '../../src/results/inference-result';

const ctx: InferencePayloadContext = {
  id: '3f1c2a9e-8d4b-4c7e-9a1f-2b6d5e8c7a10',
  ts: 1767225600000,
  totalInferences: 41,
};
const timing = { dspMs: 2, classificationMs: 11, anomalyMs: 0 };

/** Compares with the literal JSON, key order included, and checks no key holds `undefined` (JSON would hide it). */
function expectJson(payload: unknown, literal: string): void {
  expect(payload).toBeDefined();
  expect(JSON.stringify(payload)).toBe(JSON.stringify(JSON.parse(literal)));
  expect(Object.values(payload as object)).not.toContain(undefined);
}

describe('encodeInferencePayload', () => {
  it('classification', () => {
    const result: InferenceResult = { classification: { idle: 0.015625, wave: 0.984375 }, timing };
    expectJson(
      encodeInferencePayload(result, ctx),
      `{
        "time_ms": 13, "inference_count": 2, "total_inferences": 41,
        "id": "3f1c2a9e-8d4b-4c7e-9a1f-2b6d5e8c7a10", "ts": 1767225600000,
        "c": {"idle": 0.015625, "wave": 0.984375},
        "time_splits": {"DSP": 2, "Classification": 11, "Anomaly": 0, "UOM": "ms"}
      }`,
    );
  });

  it('regression', () => {
    expectJson(
      encodeInferencePayload({ classification: { value: -42.25 }, timing }, ctx),
      `{
        "time_ms": 13, "inference_count": 1, "total_inferences": 41,
        "id": "3f1c2a9e-8d4b-4c7e-9a1f-2b6d5e8c7a10", "ts": 1767225600000,
        "c": {"value": -42.25},
        "time_splits": {"DSP": 2, "Classification": 11, "Anomaly": 0, "UOM": "ms"}
      }`,
    );
  });

  it('object detection: every box', () => {
    const result: InferenceResult = {
      boxes: [
        { label: 'person', value: 0.91, x: 8, y: 16, width: 24, height: 40 },
        { label: 'car', value: 0.55, x: 40, y: 0, width: 56, height: 32 },
        { label: 'person', value: 0.125, x: 0, y: 60, width: 8, height: 8 },
      ],
      timing: { dspMs: 1, classificationMs: 20, anomalyMs: 0, postprocessingMs: 3 },
    };
    expectJson(
      encodeInferencePayload(result, ctx),
      `{
        "time_ms": 24, "inference_count": 3, "total_inferences": 41,
        "id": "3f1c2a9e-8d4b-4c7e-9a1f-2b6d5e8c7a10", "ts": 1767225600000,
        "box": [
          {"label": "person", "value": 0.91, "x": 8, "y": 16, "width": 24, "height": 40},
          {"label": "car", "value": 0.55, "x": 40, "y": 0, "width": 56, "height": 32},
          {"label": "person", "value": 0.125, "x": 0, "y": 60, "width": 8, "height": 8}
        ],
        "time_splits": {"DSP": 1, "Classification": 20, "Anomaly": 0, "UOM": "ms"}
      }`,
    );
  });

  it('object tracking: tracked objects in box, with object_id, instead of the raw boxes', () => {
    const result: InferenceResult = {
      boxes: [{ label: 'person', value: 0.8, x: 1, y: 2, width: 3, height: 4 }],
      tracking: [
        { objectId: 7, label: 'person', value: 0.8, x: 1.5, y: 2, width: 3, height: 4 },
        { objectId: 9, label: 'dog', value: 0.6, x: 10, y: 20, width: 5, height: 6 },
      ],
      timing,
    };
    expectJson(
      encodeInferencePayload(result, ctx),
      `{
        "time_ms": 13, "inference_count": 2, "total_inferences": 41,
        "id": "3f1c2a9e-8d4b-4c7e-9a1f-2b6d5e8c7a10", "ts": 1767225600000,
        "box": [
          {"label": "person", "value": 0.8, "x": 1.5, "y": 2, "width": 3, "height": 4, "object_id": 7},
          {"label": "dog", "value": 0.6, "x": 10, "y": 20, "width": 5, "height": 6, "object_id": 9}
        ],
        "time_splits": {"DSP": 2, "Classification": 11, "Anomaly": 0, "UOM": "ms"}
      }`,
    );
  });

  it('visual anomaly: grid, anomaly score, max and mean', () => {
    const result: InferenceResult = {
      grid: [
        { label: 'anomaly', value: 7.25, x: 0, y: 0, width: 16, height: 16 },
        { label: 'anomaly', value: 6.5, x: 16, y: 0, width: 16, height: 16 },
      ],
      anomaly: 7.25,
      visualAnomalyMax: 7.25,
      visualAnomalyMean: 1.125,
      timing: { dspMs: 0, classificationMs: 30, anomalyMs: 4 },
    };
    expectJson(
      encodeInferencePayload(result, ctx),
      `{
        "time_ms": 34, "inference_count": 2, "total_inferences": 41,
        "id": "3f1c2a9e-8d4b-4c7e-9a1f-2b6d5e8c7a10", "ts": 1767225600000,
        "grid": [
          {"label": "anomaly", "value": 7.25, "x": 0, "y": 0, "width": 16, "height": 16},
          {"label": "anomaly", "value": 6.5, "x": 16, "y": 0, "width": 16, "height": 16}
        ],
        "anomaly": 7.25, "visual_anomaly_max": 7.25, "visual_anomaly_mean": 1.125,
        "time_splits": {"DSP": 0, "Classification": 30, "Anomaly": 4, "UOM": "ms"}
      }`,
    );
  });

  it('anomaly score only counts as one inference', () => {
    expectJson(
      encodeInferencePayload({ anomaly: -0.375, timing: { dspMs: 1, classificationMs: 0, anomalyMs: 2 } }, ctx),
      `{
        "time_ms": 3, "inference_count": 1, "total_inferences": 41,
        "id": "3f1c2a9e-8d4b-4c7e-9a1f-2b6d5e8c7a10", "ts": 1767225600000,
        "anomaly": -0.375,
        "time_splits": {"DSP": 1, "Classification": 0, "Anomaly": 2, "UOM": "ms"}
      }`,
    );
  });

  it('visual anomaly mean only is still published', () => {
    expectJson(
      encodeInferencePayload({ visualAnomalyMean: 0.5, timing }, ctx),
      `{
        "time_ms": 13, "inference_count": 1, "total_inferences": 41,
        "id": "3f1c2a9e-8d4b-4c7e-9a1f-2b6d5e8c7a10", "ts": 1767225600000,
        "visual_anomaly_mean": 0.5,
        "time_splits": {"DSP": 2, "Classification": 11, "Anomaly": 0, "UOM": "ms"}
      }`,
    );
  });

  it('freeform only counts as one inference', () => {
    expectJson(
      encodeInferencePayload({ freeform: [[0.5, -1, 3], [], [42]], timing }, ctx),
      `{
        "time_ms": 13, "inference_count": 1, "total_inferences": 41,
        "id": "3f1c2a9e-8d4b-4c7e-9a1f-2b6d5e8c7a10", "ts": 1767225600000,
        "freeform": [[0.5, -1, 3], [], [42]],
        "time_splits": {"DSP": 2, "Classification": 11, "Anomaly": 0, "UOM": "ms"}
      }`,
    );
  });

  it('classification and anomaly together: both published (the original dropped the anomaly score)', () => {
    const result: InferenceResult = {
      classification: { idle: 0.25, snake: 0.75 },
      anomaly: 0.0625,
      timing: { dspMs: 3, classificationMs: 1, anomalyMs: 1 },
      info: 'two blocks',
    };
    expectJson(
      encodeInferencePayload(result, ctx),
      `{
        "time_ms": 5, "info": "two blocks", "inference_count": 2, "total_inferences": 41,
        "id": "3f1c2a9e-8d4b-4c7e-9a1f-2b6d5e8c7a10", "ts": 1767225600000,
        "c": {"idle": 0.25, "snake": 0.75},
        "anomaly": 0.0625,
        "time_splits": {"DSP": 3, "Classification": 1, "Anomaly": 1, "UOM": "ms"}
      }`,
    );
  });

  it('every part together, with image and S3 location', () => {
    const result: InferenceResult = {
      classification: { ok: 0.9 },
      boxes: [{ label: 'part', value: 0.7, x: 1, y: 1, width: 2, height: 2 }],
      grid: [{ label: 'anomaly', value: 3, x: 0, y: 0, width: 8, height: 8 }],
      freeform: [[1]],
      anomaly: 3,
      visualAnomalyMax: 3,
      visualAnomalyMean: 0.5,
      timing: { dspMs: 0.25, classificationMs: 0.5, anomalyMs: 0.5 },
      info: 'all',
    };
    expectJson(
      encodeInferencePayload(result, {
        ...ctx,
        image: '/9j/4AAQSkZJRg==',
        s3: { bucket: 'my-bucket', prefix: 'widgets_v12/' },
      }),
      `{
        "time_ms": 1, "info": "all", "inference_count": 3, "total_inferences": 41,
        "id": "3f1c2a9e-8d4b-4c7e-9a1f-2b6d5e8c7a10", "ts": 1767225600000,
        "image": "/9j/4AAQSkZJRg==",
        "c": {"ok": 0.9},
        "box": [{"label": "part", "value": 0.7, "x": 1, "y": 1, "width": 2, "height": 2}],
        "grid": [{"label": "anomaly", "value": 3, "x": 0, "y": 0, "width": 8, "height": 8}],
        "freeform": [[1]],
        "anomaly": 3, "visual_anomaly_max": 3, "visual_anomaly_mean": 0.5,
        "time_splits": {"DSP": 0.25, "Classification": 0.5, "Anomaly": 0.5, "UOM": "ms"},
        "s3_bucket": "my-bucket", "s3_prefix": "widgets_v12/"
      }`,
    );
  });

  it('a detector that found nothing still publishes its empty box list beside an anomaly score', () => {
    expectJson(
      encodeInferencePayload({ boxes: [], anomaly: 0.5, timing }, ctx),
      `{
        "time_ms": 13, "inference_count": 1, "total_inferences": 41,
        "id": "3f1c2a9e-8d4b-4c7e-9a1f-2b6d5e8c7a10", "ts": 1767225600000,
        "box": [], "anomaly": 0.5,
        "time_splits": {"DSP": 2, "Classification": 11, "Anomaly": 0, "UOM": "ms"}
      }`,
    );
  });

  describe('time_ms', () => {
    it.each([
      ['all stages 0 ms', { dspMs: 0, classificationMs: 0, anomalyMs: 0 }, 1],
      ['sub-millisecond model', { dspMs: 0.1, classificationMs: 0.2, anomalyMs: 0.1 }, 1],
      ['rounds half up', { dspMs: 0.5, classificationMs: 12, anomalyMs: 0 }, 13],
      ['rounds down below half', { dspMs: 0.4, classificationMs: 12, anomalyMs: 0 }, 12],
      ['adds post-processing', { dspMs: 1, classificationMs: 2, anomalyMs: 3, postprocessingMs: 4 }, 10],
    ])('%s', (_name, t, expected) => {
      expect(encodeInferencePayload({ anomaly: 1, timing: t }, ctx)?.time_ms).toBe(expected);
    });

    it('time_splits carry the stage times as they are', () => {
      const payload = encodeInferencePayload(
        { anomaly: 1, timing: { dspMs: 0.1, classificationMs: 0.2, anomalyMs: 0 } },
        ctx,
      );
      expect(payload?.time_splits).toStrictEqual({ DSP: 0.1, Classification: 0.2, Anomaly: 0, UOM: 'ms' });
    });
  });

  describe('optional fields', () => {
    const result: InferenceResult = { anomaly: 2, timing };
    const fields = (r: InferenceResult, c: InferencePayloadContext) => Object.keys(encodeInferencePayload(r, c) ?? {});

    it('info: omitted when absent or empty, present when given', () => {
      expect(fields(result, ctx)).not.toContain('info');
      expect(fields({ ...result, info: '' }, ctx)).not.toContain('info');
      expect(encodeInferencePayload({ ...result, info: 'note' }, ctx)?.info).toBe('note');
    });

    it('image: only when given', () => {
      expect(fields(result, ctx)).not.toContain('image');
      expect(fields(result, { ...ctx, image: '' })).not.toContain('image');
      expect(encodeInferencePayload(result, { ...ctx, image: 'QUJD' })?.image).toBe('QUJD');
    });

    it('s3: omitted (serial runner), "unset" (no S3 cache), or the location', () => {
      expect(fields(result, ctx)).not.toContain('s3_bucket');
      expect(fields(result, ctx)).not.toContain('s3_prefix');
      expect(encodeInferencePayload(result, { ...ctx, s3: 'unset' })).toMatchObject({
        s3_bucket: 'unset',
        s3_prefix: 'unset',
      });
      expect(encodeInferencePayload(result, { ...ctx, s3: { bucket: 'b', prefix: 'm_v3/' } })).toMatchObject({
        s3_bucket: 'b',
        s3_prefix: 'm_v3/',
      });
      expect(fields(result, { ...ctx, s3: 'unset' }).slice(-3)).toEqual(['time_splits', 's3_bucket', 's3_prefix']);
    });
  });

  it('the payload shares nothing with the result', () => {
    const result: InferenceResult = {
      classification: { a: 0.5 },
      tracking: [{ objectId: 1, label: 'b', value: 0.5, x: 1, y: 1, width: 1, height: 1 }],
      grid: [{ label: 'g', value: 0.5, x: 1, y: 1, width: 1, height: 1 }],
      freeform: [[1]],
      timing,
    };
    const before = structuredClone(result);
    const payload = encodeInferencePayload(result, ctx)!;
    payload.c!.a = 9;
    payload.box![0].value = 9;
    payload.grid![0].value = 9;
    payload.freeform![0][0] = 9;
    expect(result).toStrictEqual(before);
  });

  describe('empty results are not published', () => {
    const box = { label: 'b', value: 0.5, x: 0, y: 0, width: 1, height: 1 };
    it.each<[string, InferenceResult]>([
      ['nothing but timing', { timing }],
      ['no labels', { classification: {}, timing }],
      ['no boxes', { boxes: [], timing }],
      ['no tracked objects (raw boxes are not counted twice)', { boxes: [box], tracking: [], timing }],
      ['no grid cells', { grid: [], timing }],
      ['no freeform tensors', { freeform: [], timing }],
      ['all of them empty', { classification: {}, boxes: [], tracking: [], grid: [], freeform: [], info: 'x', timing }],
    ])('%s', (_name, result) => {
      expect(isEmptyResult(result)).toBe(true);
      expect(encodeInferencePayload(result, ctx)).toBeUndefined();
    });

    it.each<[string, InferenceResult]>([
      ['one label', { classification: { a: 0 }, timing }],
      ['one box', { boxes: [box], timing }],
      ['one tracked object', { tracking: [{ ...box, objectId: 1 }], timing }],
      ['one grid cell', { grid: [box], timing }],
      ['one freeform tensor', { freeform: [[]], timing }],
      ['an anomaly score of 0', { anomaly: 0, timing }],
      ['a visual anomaly max', { visualAnomalyMax: 0, timing }],
    ])('not empty: %s', (_name, result) => {
      expect(isEmptyResult(result)).toBe(false);
      expect(encodeInferencePayload(result, ctx)).toBeDefined();
    });
  });
});
