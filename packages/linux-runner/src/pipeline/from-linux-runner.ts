import { ModelOutputError, type BoundingBox, type InferenceResult, type TrackedObject } from '@ei-gg/core';

/**
 * Converts what `LinuxImpulseRunner.classify()` of edge-impulse-linux 1.25.2 resolves with
 * (`RunnerClassifyResponseSuccess`: `{ result: { classification?, bounding_boxes?, object_tracking?,
 * visual_anomaly_grid?, visual_anomaly_max?, visual_anomaly_mean?, anomaly?, freeform? }, timing: { dsp,
 * classification, anomaly, postprocessing? }, info? }`) into the normalised {@link InferenceResult}.
 *
 * The argument is `unknown` on purpose: the response is JSON written by a model process, so every field used is
 * checked here and a wrong one throws {@link ModelOutputError} naming it. Fields not used (`resizeMode`,
 * `resized`, extra timing entries, ...) are ignored. The result holds copies, never the response's own objects.
 * Regression models answer `classification: { value: <number> }` and stay classification.
 */
export function fromLinuxRunnerResponse(response: unknown): InferenceResult {
  const root = readObject(response, 'response');
  const result = readObject(root.result, 'result');
  const timing = readObject(root.timing, 'timing');

  const out: InferenceResult = {
    timing: {
      dspMs: readDuration(timing.dsp, 'timing.dsp'),
      classificationMs: readDuration(timing.classification, 'timing.classification'),
      anomalyMs: readDuration(timing.anomaly, 'timing.anomaly'),
    },
  };
  if (timing.postprocessing !== undefined) {
    out.timing.postprocessingMs = readDuration(timing.postprocessing, 'timing.postprocessing');
  }
  if (result.classification !== undefined)
    out.classification = readScores(result.classification, 'result.classification');
  if (result.bounding_boxes !== undefined)
    out.boxes = readList(result.bounding_boxes, 'result.bounding_boxes', readBox);
  if (result.object_tracking !== undefined) {
    out.tracking = readList(result.object_tracking, 'result.object_tracking', readTrackedObject);
  }
  if (result.visual_anomaly_grid !== undefined) {
    out.grid = readList(result.visual_anomaly_grid, 'result.visual_anomaly_grid', readBox);
  }
  if (result.freeform !== undefined) {
    out.freeform = readList(result.freeform, 'result.freeform', (tensor, field) => readList(tensor, field, readFinite));
  }
  if (result.anomaly !== undefined) out.anomaly = readFinite(result.anomaly, 'result.anomaly');
  if (result.visual_anomaly_max !== undefined) {
    out.visualAnomalyMax = readFinite(result.visual_anomaly_max, 'result.visual_anomaly_max');
  }
  if (result.visual_anomaly_mean !== undefined) {
    out.visualAnomalyMean = readFinite(result.visual_anomaly_mean, 'result.visual_anomaly_mean');
  }
  if (root.info !== undefined) out.info = readString(root.info, 'info');
  return out;
}

type Fields = Record<string, unknown>;

function readObject(value: unknown, field: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelOutputError(field, 'an object', value);
  }
  return value as Fields;
}

function readFinite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ModelOutputError(field, 'a finite number', value);
  return value;
}

function readDuration(value: unknown, field: string): number {
  const ms = readFinite(value, field);
  if (ms < 0) throw new ModelOutputError(field, 'a duration in ms (>= 0)', value);
  return ms;
}

function readString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ModelOutputError(field, 'a string', value);
  return value;
}

function readList<T>(value: unknown, field: string, readItem: (item: unknown, field: string) => T): T[] {
  if (!Array.isArray(value)) throw new ModelOutputError(field, 'an array', value);
  return value.map((item, i) => readItem(item, `${field}[${i}]`));
}

function readScores(value: unknown, field: string): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const [label, score] of Object.entries(readObject(value, field))) {
    scores[label] = readFinite(score, `${field}[${JSON.stringify(label)}]`);
  }
  return scores;
}

function readBox(value: unknown, field: string): BoundingBox {
  const box = readObject(value, field);
  return {
    label: readString(box.label, `${field}.label`),
    value: readFinite(box.value, `${field}.value`),
    x: readFinite(box.x, `${field}.x`),
    y: readFinite(box.y, `${field}.y`),
    width: readFinite(box.width, `${field}.width`),
    height: readFinite(box.height, `${field}.height`),
  };
}

function readTrackedObject(value: unknown, field: string): TrackedObject {
  const objectId = readObject(value, field).object_id;
  if (!Number.isSafeInteger(objectId)) throw new ModelOutputError(`${field}.object_id`, 'an integer', objectId);
  return { ...readBox(value, field), objectId: objectId as number };
}
