/**
 * The one normalised inference result every input (a `.eim` model through edge-impulse-linux, or MCU firmware
 * over serial) is converted into. Everything after conversion (threshold filter, metrics, payload encoding,
 * caches) works on this shape only.
 */

/** An axis-aligned box in model-input pixels: a detected object or a visual-anomaly grid cell. */
export interface BoundingBox {
  label: string;
  /** Confidence (object detection) or anomaly score (grid cell). */
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** An object followed across frames by the model's object tracker. */
export interface TrackedObject extends BoundingBox {
  objectId: number;
}

/** Time spent per stage, in milliseconds (serial firmware reporting microseconds is converted). */
export interface InferenceTiming {
  dspMs: number;
  classificationMs: number;
  anomalyMs: number;
  postprocessingMs?: number;
}

export interface InferenceResult {
  /** Label to score, for classification and regression (regression: the single label `value`). */
  classification?: Record<string, number>;
  /** Object detection: every box, in the model's order. */
  boxes?: BoundingBox[];
  /** Object tracking: every tracked object. */
  tracking?: TrackedObject[];
  /** Visual anomaly detection (e.g. FOMO-AD): one cell per anomalous region. */
  grid?: BoundingBox[];
  /** Freeform model output tensors. */
  freeform?: number[][];
  /** Anomaly score (K-means / GMM anomaly block). */
  anomaly?: number;
  visualAnomalyMax?: number;
  visualAnomalyMean?: number;
  timing: InferenceTiming;
  /** Free text the model attached to the result. */
  info?: string;
}

/** Names used in logs and in the threshold filter's documentation. */
export type ResultKind = 'classification' | 'boxes' | 'tracking' | 'grid' | 'freeform' | 'anomaly';
