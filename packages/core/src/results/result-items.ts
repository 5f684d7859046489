import { BoundingBox, InferenceResult, TrackedObject } from './inference-result';

/**
 * The scored items of a result, as the payload encoder, the threshold filter and the metrics see them, so the
 * three agree on what "an item" is.
 */

export interface LabelScore {
  label: string;
  value: number;
}

/** The highest-scoring label of a classification (the first one on a tie), or undefined when there is none. */
export function topLabel(classification: Record<string, number> | undefined): LabelScore | undefined {
  let top: LabelScore | undefined;
  for (const [label, value] of Object.entries(classification ?? {})) {
    if (top === undefined || value > top.value) top = { label, value };
  }
  return top;
}

/**
 * The detected objects: the tracked objects when the model tracks, else the boxes. With tracking on, the model
 * reports the same detections twice (`bounding_boxes` and `object_tracking`); counting both would double them.
 */
export function detections(result: InferenceResult): readonly (BoundingBox | TrackedObject)[] | undefined {
  return result.tracking ?? result.boxes;
}

/**
 * One confidence per scored item: the top label of a classification (regression: its `value`), every detected
 * object, every visual-anomaly grid cell. Anomaly scores and freeform tensors are not confidences.
 */
export function confidenceSamples(result: InferenceResult): LabelScore[] {
  const top = topLabel(result.classification);
  const items = [...(detections(result) ?? []), ...(result.grid ?? [])];
  return [...(top ? [top] : []), ...items.map(({ label, value }) => ({ label, value }))];
}
