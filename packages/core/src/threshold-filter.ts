import { ThresholdFilterError } from './errors';
import { BoundingBox, InferenceResult } from './results/inference-result';
import { detections, topLabel } from './results/result-items';

/**
 * Threshold filter: decides which inference results are published, by comparing confidences with a threshold.
 *
 * - Disabled: every result passes unchanged.
 * - Classification (and regression): the TOP label's score is compared; pass keeps the whole result (every
 *   label), fail drops it.
 * - Boxes, tracked objects, visual-anomaly grid cells: each item is compared on its own and only passing items
 *   are kept; the result passes when any item passes (tracked objects stand in for the boxes when the model
 *   tracks, see `detections`). Anomaly, visual-anomaly max/mean, freeform and info ride along unchanged.
 * - A result with several scored parts (e.g. classification and boxes) passes when any part passes; a failing
 *   classification is then removed from it.
 * - Results without any confidence (anomaly score only, freeform only) pass unchanged.
 * - Criteria `gt ge eq le lt` read "value <criteria> threshold". Scores are floats, so a value within 1e-9 of the
 *   threshold counts as equal for every criterion: `eq` passes it, `ge`/`le` pass it, `gt`/`lt` do not.
 * - Each score is compared on its own; the original averaged neighbouring scores pairwise, which was a bug.
 * - The input result is never mutated; a filtered result is a new object.
 */

export const THRESHOLD_CRITERIA = ['gt', 'ge', 'eq', 'le', 'lt'] as const;
export type ThresholdCriteria = (typeof THRESHOLD_CRITERIA)[number];

/** Distance from the threshold under which a score counts as equal to it. */
export const THRESHOLD_TOLERANCE = 1e-9;

export interface ThresholdFilterConfig {
  enabled: boolean;
  /** 0 < threshold <= 1. */
  threshold: number;
  criteria: ThresholdCriteria;
}

export function isThresholdCriteria(value: unknown): value is ThresholdCriteria {
  return (THRESHOLD_CRITERIA as readonly unknown[]).includes(value);
}

/** Whether `value <criteria> threshold` holds, with {@link THRESHOLD_TOLERANCE} for equality. */
export function compare(value: number, criteria: ThresholdCriteria, threshold: number): boolean {
  const diff = value - threshold;
  switch (criteria) {
    case 'gt':
      return diff > THRESHOLD_TOLERANCE;
    case 'ge':
      return diff >= -THRESHOLD_TOLERANCE;
    case 'eq':
      return Math.abs(diff) <= THRESHOLD_TOLERANCE;
    case 'le':
      return diff <= THRESHOLD_TOLERANCE;
    case 'lt':
      return diff < -THRESHOLD_TOLERANCE;
  }
}

export class ThresholdFilter {
  private current: ThresholdFilterConfig;

  constructor(config: ThresholdFilterConfig) {
    this.current = validated(config);
  }

  get config(): ThresholdFilterConfig {
    return { ...this.current };
  }

  /** Changes some settings; throws {@link ThresholdFilterError} and changes nothing if any is invalid. */
  update(partial: Partial<ThresholdFilterConfig>): void {
    const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
    this.current = validated({ ...this.current, ...defined });
  }

  /** The result to publish, or undefined when it is filtered out. */
  apply(result: InferenceResult): InferenceResult | undefined {
    if (!this.current.enabled) return result;
    const top = topLabel(result.classification);
    if (top === undefined && !detections(result)?.length && !result.grid?.length) return result;

    const passes = (value: number): boolean => compare(value, this.current.criteria, this.current.threshold);
    const keep = <T extends BoundingBox>(items: T[]): T[] => items.filter((item) => passes(item.value));
    const out: InferenceResult = { ...result };
    if (result.boxes) out.boxes = keep(result.boxes);
    if (result.tracking) out.tracking = keep(result.tracking);
    if (result.grid) out.grid = keep(result.grid);
    const classificationPasses = top !== undefined && passes(top.value);
    if (top !== undefined && !classificationPasses) delete out.classification;
    return classificationPasses || detections(out)?.length || out.grid?.length ? out : undefined;
  }
}

function validated(config: ThresholdFilterConfig): ThresholdFilterConfig {
  if (typeof config.enabled !== 'boolean') throw new ThresholdFilterError('enabled', config.enabled, 'true or false');
  const { threshold } = config;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) {
    throw new ThresholdFilterError('threshold', threshold, 'a number with 0 < threshold <= 1');
  }
  if (!isThresholdCriteria(config.criteria)) {
    throw new ThresholdFilterError('criteria', config.criteria, `one of ${THRESHOLD_CRITERIA.join(', ')}`);
  }
  return { enabled: config.enabled, threshold, criteria: config.criteria };
}
