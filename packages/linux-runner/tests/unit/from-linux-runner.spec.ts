import type { RunnerClassifyResponseSuccess } from 'edge-impulse-linux/build/library/classifier/linux-impulse-runner-types';
import { EiGgError, ModelOutputError, type InferenceResult } from '@ei-gg/core';
import { fromLinuxRunnerResponse } from '../../src/pipeline/from-linux-runner';

// Fixtures are typed with edge-impulse-linux's own response type, so they cannot drift from what classify() returns.
const timing = { dsp: 2, classification: 11, anomaly: 0 };
const convertedTiming = { dspMs: 2, classificationMs: 11, anomalyMs: 0 };

describe('fromLinuxRunnerResponse', () => {
  describe('valid responses', () => {
    const cases: [string, RunnerClassifyResponseSuccess, InferenceResult][] = [
      [
        'classification',
        { result: { classification: { idle: 0.015625, wave: 0.984375 } }, timing, info: undefined },
        { classification: { idle: 0.015625, wave: 0.984375 }, timing: convertedTiming },
      ],
      [
        'regression (one label `value`, any finite number) stays classification',
        { result: { classification: { value: -42.25 } }, timing, info: undefined },
        { classification: { value: -42.25 }, timing: convertedTiming },
      ],
      [
        'object detection with several boxes, post-processing time and resize information',
        {
          result: {
            bounding_boxes: [
              { label: 'person', value: 0.91, x: 8, y: 16, width: 24, height: 40 },
              { label: 'car', value: 0.55, x: 40, y: 0, width: 56, height: 32 },
            ],
            resizeMode: 'fit-shortest',
            resized: { originalWidth: 640, originalHeight: 480, newWidth: 96, newHeight: 96 },
          },
          timing: { dsp: 1, classification: 20, anomaly: 0, postprocessing: 0.5 },
          info: undefined,
        },
        {
          boxes: [
            { label: 'person', value: 0.91, x: 8, y: 16, width: 24, height: 40 },
            { label: 'car', value: 0.55, x: 40, y: 0, width: 56, height: 32 },
          ],
          timing: { dspMs: 1, classificationMs: 20, anomalyMs: 0, postprocessingMs: 0.5 },
        },
      ],
      [
        'object detection without detections',
        { result: { bounding_boxes: [] }, timing, info: undefined },
        { boxes: [], timing: convertedTiming },
      ],
      [
        'object tracking (the model reports the boxes as well)',
        {
          result: {
            bounding_boxes: [{ label: 'person', value: 0.8, x: 1, y: 2, width: 3, height: 4 }],
            object_tracking: [{ object_id: 7, label: 'person', value: 0.8, x: 1.5, y: 2, width: 3, height: 4 }],
          },
          timing,
          info: undefined,
        },
        {
          boxes: [{ label: 'person', value: 0.8, x: 1, y: 2, width: 3, height: 4 }],
          tracking: [{ objectId: 7, label: 'person', value: 0.8, x: 1.5, y: 2, width: 3, height: 4 }],
          timing: convertedTiming,
        },
      ],
      [
        'visual anomaly grid with max, mean and anomaly score',
        {
          result: {
            anomaly: 7.25,
            visual_anomaly_grid: [
              { label: 'anomaly', value: 7.25, x: 0, y: 0, width: 16, height: 16 },
              { label: 'anomaly', value: 6.5, x: 16, y: 0, width: 16, height: 16 },
            ],
            visual_anomaly_max: 7.25,
            visual_anomaly_mean: 1.125,
          },
          timing: { dsp: 0, classification: 30, anomaly: 4 },
          info: undefined,
        },
        {
          grid: [
            { label: 'anomaly', value: 7.25, x: 0, y: 0, width: 16, height: 16 },
            { label: 'anomaly', value: 6.5, x: 16, y: 0, width: 16, height: 16 },
          ],
          anomaly: 7.25,
          visualAnomalyMax: 7.25,
          visualAnomalyMean: 1.125,
          timing: { dspMs: 0, classificationMs: 30, anomalyMs: 4 },
        },
      ],
      [
        'classification with a K-means anomaly score (negative scores are valid)',
        { result: { classification: { idle: 0.25, snake: 0.75 }, anomaly: -0.375 }, timing, info: undefined },
        { classification: { idle: 0.25, snake: 0.75 }, anomaly: -0.375, timing: convertedTiming },
      ],
      [
        'freeform output tensors',
        { result: { freeform: [[0.5, -1, 3], [], [42]] }, timing, info: undefined },
        { freeform: [[0.5, -1, 3], [], [42]], timing: convertedTiming },
      ],
      [
        'info attached by the model',
        { result: { classification: { a: 1 } }, timing, info: 'calibration pending' },
        { classification: { a: 1 }, timing: convertedTiming, info: 'calibration pending' },
      ],
      [
        'an empty result (converted as is; the encoder decides it is not published)',
        { result: {}, timing, info: undefined },
        { timing: convertedTiming },
      ],
    ];

    it.each(cases)('%s', (_name, response, expected) => {
      expect(fromLinuxRunnerResponse(response)).toStrictEqual(expected);
    });

    it('ignores fields it does not know, at every level', () => {
      const response = {
        success: true,
        id: 12,
        result: { classification: { a: 0.5 }, something_new: { x: 'y' } },
        timing: { ...timing, json: 0, stdin: 1, dsp_us: 2000 },
        info: 'x',
        extra: [1, 2],
      };
      expect(fromLinuxRunnerResponse(response)).toStrictEqual({
        classification: { a: 0.5 },
        timing: convertedTiming,
        info: 'x',
      });
    });

    it('copies everything: changing the response afterwards does not change the result', () => {
      const response = {
        result: {
          classification: { a: 0.5 },
          bounding_boxes: [{ label: 'b', value: 0.5, x: 1, y: 1, width: 1, height: 1 }],
          freeform: [[1, 2]],
        },
        timing: { ...timing },
      };
      const result = fromLinuxRunnerResponse(response);
      response.result.classification.a = 0.1;
      response.result.bounding_boxes[0].value = 0.1;
      response.result.freeform[0][0] = 9;
      response.timing.dsp = 99;
      expect(result).toStrictEqual({
        classification: { a: 0.5 },
        boxes: [{ label: 'b', value: 0.5, x: 1, y: 1, width: 1, height: 1 }],
        freeform: [[1, 2]],
        timing: convertedTiming,
      });
    });
  });

  describe('invalid responses throw ModelOutputError naming the field', () => {
    const box = { label: 'b', value: 0.5, x: 1, y: 2, width: 3, height: 4 };
    const withResult = (result: Record<string, unknown>) => ({ result, timing });
    const cases: [string, unknown, string, string][] = [
      ['not an object', null, 'response', 'an object'],
      ['an array', [], 'response', 'an object'],
      ['no result', { timing }, 'result', 'an object'],
      ['no timing', { result: {} }, 'timing', 'an object'],
      [
        'timing.dsp missing',
        { result: {}, timing: { classification: 1, anomaly: 0 } },
        'timing.dsp',
        'a finite number',
      ],
      [
        'timing.classification as a string',
        { result: {}, timing: { ...timing, classification: '3' } },
        'timing.classification',
        'a finite number',
      ],
      ['timing.anomaly NaN', { result: {}, timing: { ...timing, anomaly: NaN } }, 'timing.anomaly', 'a finite number'],
      [
        'timing.postprocessing infinite',
        { result: {}, timing: { ...timing, postprocessing: Infinity } },
        'timing.postprocessing',
        'a finite number',
      ],
      [
        'timing.postprocessing null',
        { result: {}, timing: { ...timing, postprocessing: null } },
        'timing.postprocessing',
        'a finite number',
      ],
      ['a negative time', { result: {}, timing: { ...timing, dsp: -1 } }, 'timing.dsp', 'a duration in ms (>= 0)'],
      ['classification as an array', withResult({ classification: [0.5] }), 'result.classification', 'an object'],
      [
        'a score as a string',
        withResult({ classification: { idle: 0.1, wave: '0.9' } }),
        'result.classification["wave"]',
        'a finite number',
      ],
      [
        'a score NaN',
        withResult({ classification: { value: NaN } }),
        'result.classification["value"]',
        'a finite number',
      ],
      [
        'a score -Infinity',
        withResult({ classification: { 'a b': -Infinity } }),
        'result.classification["a b"]',
        'a finite number',
      ],
      ['bounding_boxes not an array', withResult({ bounding_boxes: { 0: box } }), 'result.bounding_boxes', 'an array'],
      ['a box that is null', withResult({ bounding_boxes: [null] }), 'result.bounding_boxes[0]', 'an object'],
      [
        'a box value null',
        withResult({ bounding_boxes: [box, { ...box, value: null }] }),
        'result.bounding_boxes[1].value',
        'a finite number',
      ],
      [
        'a box label as a number',
        withResult({ bounding_boxes: [{ ...box, label: 3 }] }),
        'result.bounding_boxes[0].label',
        'a string',
      ],
      [
        'a box x infinite',
        withResult({ bounding_boxes: [{ ...box, x: Infinity }] }),
        'result.bounding_boxes[0].x',
        'a finite number',
      ],
      [
        'a box without height',
        withResult({ bounding_boxes: [{ ...box, height: undefined }] }),
        'result.bounding_boxes[0].height',
        'a finite number',
      ],
      [
        'a tracked object without id',
        withResult({ object_tracking: [box] }),
        'result.object_tracking[0].object_id',
        'an integer',
      ],
      [
        'a tracked object id 1.5',
        withResult({ object_tracking: [{ ...box, object_id: 1.5 }] }),
        'result.object_tracking[0].object_id',
        'an integer',
      ],
      [
        'a tracked object width NaN',
        withResult({ object_tracking: [{ ...box, object_id: 1, width: NaN }] }),
        'result.object_tracking[0].width',
        'a finite number',
      ],
      [
        'a grid cell y as a string',
        withResult({ visual_anomaly_grid: [box, { ...box, y: '2' }] }),
        'result.visual_anomaly_grid[1].y',
        'a finite number',
      ],
      ['freeform left in shared memory', withResult({ freeform: 'shm' }), 'result.freeform', 'an array'],
      ['a freeform tensor that is a number', withResult({ freeform: [1, 2] }), 'result.freeform[0]', 'an array'],
      ['a freeform value NaN', withResult({ freeform: [[1], [1, NaN]] }), 'result.freeform[1][1]', 'a finite number'],
      ['anomaly as a string', withResult({ anomaly: 'high' }), 'result.anomaly', 'a finite number'],
      [
        'visual_anomaly_max NaN',
        withResult({ visual_anomaly_max: NaN }),
        'result.visual_anomaly_max',
        'a finite number',
      ],
      [
        'visual_anomaly_mean -Infinity',
        withResult({ visual_anomaly_mean: -Infinity }),
        'result.visual_anomaly_mean',
        'a finite number',
      ],
      ['info as a number', { result: {}, timing, info: 42 }, 'info', 'a string'],
    ];

    it.each(cases)('%s', (_name, response, field, expected) => {
      let error: unknown;
      try {
        fromLinuxRunnerResponse(response);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ModelOutputError);
      expect(error).toBeInstanceOf(EiGgError);
      const e = error as ModelOutputError;
      expect(e).toMatchObject({ name: 'ModelOutputError', code: 'MODEL_OUTPUT_INVALID', field, expected });
      expect(e.message).toContain(field);
      expect(e.message).toContain(expected);
      expect(e.context).toMatchObject({ field, expected });
    });

    it('describes the offending value briefly, never a whole large value', () => {
      const long = 'x'.repeat(10_000);
      const error = captureError(() => fromLinuxRunnerResponse({ result: {}, timing, info: 42 }));
      expect(error.message).toBe('invalid model output: info should be a string, got 42');
      const big = captureError(() => fromLinuxRunnerResponse({ result: { freeform: long }, timing }));
      expect(big.message.length).toBeLessThan(120);
      expect(big.context.got).toBe(JSON.stringify(`${'x'.repeat(40)}...`));
      expect(captureError(() => fromLinuxRunnerResponse({ result: { anomaly: [1, 2, 3] }, timing })).context.got).toBe(
        'an array of 3',
      );
      expect(captureError(() => fromLinuxRunnerResponse({ result: {} })).context.got).toBe('nothing');
      expect(captureError(() => fromLinuxRunnerResponse({ result: { anomaly: NaN }, timing })).context.got).toBe('NaN');
    });
  });
});

function captureError(fn: () => unknown): ModelOutputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ModelOutputError) return e;
    throw e;
  }
  throw new Error('expected a ModelOutputError');
}
