import { BoundingBox, InferenceResult, TrackedObject } from './inference-result';
import { inferenceTimeMs } from './inference-time';
import { detections } from './result-items';

/**
 * The inference output message (SPEC section 3), field for field as the original Edge Impulse components
 * published it, so existing IoT rules and dashboards keep working; unlike the original, every result type present
 * is published (the original kept only the last one and dropped anomaly scores) and empty results are not.
 */

/** One entry of `box` or `grid`. */
export interface PayloadBox extends BoundingBox {
  /**
   * Only on tracked objects. The original payload had no tracking field (it published the raw boxes instead):
   * tracked objects go in `box`, so consumers of `box` keep working, and carry their tracker id here.
   */
  object_id?: number;
}

/** A type alias, not an interface, so it is assignable to `Record<string, unknown>` (what publishers take). */
export type InferencePayload = {
  time_ms: number;
  info?: string;
  inference_count: number;
  total_inferences: number;
  id: string;
  ts: number;
  image?: string;
  c?: Record<string, number>;
  box?: PayloadBox[];
  grid?: PayloadBox[];
  freeform?: number[][];
  anomaly?: number;
  visual_anomaly_max?: number;
  visual_anomaly_mean?: number;
  time_splits: { DSP: number; Classification: number; Anomaly: number; UOM: 'ms' };
  s3_bucket?: string;
  s3_prefix?: string;
  /** Only in answers to on-demand requests that carried an id. */
  request_id?: string;
};

export interface InferencePayloadContext {
  /** uuid v4 of this message. */
  id: string;
  /** Epoch ms. */
  ts: number;
  /** Running count of inferences, kept by the caller. */
  totalInferences: number;
  /** Base64 JPEG of the model-input frame, when publishing images is enabled. */
  image?: string;
  /** Omitted: no s3 fields (serial runner). `'unset'`: both fields say "unset" (no S3 cache). */
  s3?: 'unset' | { bucket: string; prefix: string };
  /** Set when the message answers an on-demand request: published even when empty, with the request's id. */
  answer?: { requestId?: string };
}

/** True when there is nothing to publish: no labels, detections, grid cells, freeform tensors or anomaly scores. */
export function isEmptyResult(result: InferenceResult): boolean {
  return (
    Object.keys(result.classification ?? {}).length === 0 &&
    !detections(result)?.length &&
    !result.grid?.length &&
    !result.freeform?.length &&
    result.anomaly === undefined &&
    result.visualAnomalyMax === undefined &&
    result.visualAnomalyMean === undefined
  );
}

/** The message for one result, or undefined for an empty result (not published unless it answers a request). */
export function encodeInferencePayload(
  result: InferenceResult,
  ctx: InferencePayloadContext,
): InferencePayload | undefined {
  const empty = isEmptyResult(result);
  if (empty && !ctx.answer) return undefined;
  const box = detections(result);
  // Labels, detections and grid cells; a result of anomaly scores or freeform tensors only counts as one.
  const items = Object.keys(result.classification ?? {}).length + (box?.length ?? 0) + (result.grid?.length ?? 0);
  const { timing } = result;
  return {
    time_ms: inferenceTimeMs(timing),
    ...(result.info ? { info: result.info } : {}),
    inference_count: empty ? 0 : Math.max(1, items),
    total_inferences: ctx.totalInferences,
    id: ctx.id,
    ts: ctx.ts,
    ...(ctx.image ? { image: ctx.image } : {}),
    ...(result.classification ? { c: { ...result.classification } } : {}),
    ...(box ? { box: box.map(toPayloadBox) } : {}),
    ...(result.grid ? { grid: result.grid.map(toPayloadBox) } : {}),
    ...(result.freeform ? { freeform: result.freeform.map((tensor) => [...tensor]) } : {}),
    ...(result.anomaly !== undefined ? { anomaly: result.anomaly } : {}),
    ...(result.visualAnomalyMax !== undefined ? { visual_anomaly_max: result.visualAnomalyMax } : {}),
    ...(result.visualAnomalyMean !== undefined ? { visual_anomaly_mean: result.visualAnomalyMean } : {}),
    time_splits: { DSP: timing.dspMs, Classification: timing.classificationMs, Anomaly: timing.anomalyMs, UOM: 'ms' },
    ...s3Fields(ctx.s3),
    ...(ctx.answer?.requestId !== undefined ? { request_id: ctx.answer.requestId } : {}),
  };
}

function toPayloadBox(item: BoundingBox | TrackedObject): PayloadBox {
  const { label, value, x, y, width, height } = item;
  return 'objectId' in item
    ? { label, value, x, y, width, height, object_id: item.objectId }
    : { label, value, x, y, width, height };
}

function s3Fields(s3: InferencePayloadContext['s3']): Pick<InferencePayload, 's3_bucket' | 's3_prefix'> {
  if (s3 === undefined) return {};
  if (s3 === 'unset') return { s3_bucket: 'unset', s3_prefix: 'unset' };
  return { s3_bucket: s3.bucket, s3_prefix: s3.prefix };
}
